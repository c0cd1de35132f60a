package io.omnisql.connector;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Upstream pages shared by the replicas of a fleet, so a page is requested upstream once per freshness window
 * per fleet rather than once per replica. Each replica still materialises the rows into its own engine.
 */
public interface FleetPages {
    /** The single gateway: every fetch is its own. */
    FleetPages NONE = (key, sinceMillis, deadlineNanos, leaseMillis, fetch) -> fetch.apply(null);

    /**
     * An upstream answer as a replica saw it.
     *
     * @param etag            the upstream's validator, or null: a replica fetching the page again sends it in
     *                        {@code If-None-Match}, and a 304 (free on GitHub) renews the page
     * @param fetchedAtMillis wall-clock time of the fetch
     * @param shareable       whether other replicas may use it (a whole 2xx answer, or a 304 on a known body)
     */
    record Page(int status, byte[] body, List<String> links, String etag, long fetchedAtMillis, boolean shareable) {
        public Page {
            links = List.copyOf(links);
        }
    }

    /**
     * The page {@code key}: one that some replica fetched at or after {@code sinceMillis}; else, when no other
     * replica is fetching it, {@code fetch}'s answer, then offered to the others; else the other replica's answer
     * once it arrives. {@code fetch} is given the fleet's older copy of the page (null when there is none) to
     * revalidate. A replica whose fetch fails or outlives {@code leaseMillis} hands the page back, and a waiter
     * fetches it itself. The fetch's exceptions propagate unchanged; a shared store that cannot answer makes this
     * a plain {@code fetch.apply(null)}.
     *
     * @param deadlineNanos {@link System#nanoTime()} after which waiting for another replica is pointless
     */
    Page fetchOnce(String key, long sinceMillis, long deadlineNanos, long leaseMillis, UnaryOperator<Page> fetch);
}
