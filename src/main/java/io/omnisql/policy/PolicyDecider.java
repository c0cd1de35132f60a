package io.omnisql.policy;

import io.omnisql.config.Snapshot;
import io.omnisql.identity.Principal;

/**
 * Decides table access, row filters and column rules for a principal. YAML-backed by default; the seam an
 * external decision service (OPA's data API) plugs into.
 */
public interface PolicyDecider {
    /**
     * @throws io.omnisql.error.QueryException ENTITLEMENT_DENIED when the principal may not read the table,
     *                                         or names a column it may not see
     */
    Governance govern(Principal principal, TableRead read, Snapshot snapshot);

    /** Allows everything: for deployments without policies and for tests of other concerns. */
    PolicyDecider ALLOW_ALL = (principal, read, snapshot) -> Governance.NONE;
}
