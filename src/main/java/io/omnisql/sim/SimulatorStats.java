package io.omnisql.sim;

/**
 * Request counters since start or the last {@link Simulators#resetStats()}. Endpoint counters count every request
 * that reached the endpoint, whatever it was answered (faults and 304s included), i.e. the upstream calls a client made.
 *
 * @param githubRequests         all requests to the GitHub simulator
 * @param githubPullsPages       {@code GET .../pulls} list requests (one per page fetched)
 * @param githubCommitsCalls     {@code GET .../pulls/{n}/commits}
 * @param githubUsersCalls       {@code GET /users/{login}}
 * @param githubTeamMembersCalls {@code GET /orgs/{org}/teams/{slug}/members} and its paginated form
 * @param githubNotModified      304 answers to {@code If-None-Match}
 * @param githubFaultsInjected   injected secondary rate limits, errors, malformed and truncated bodies
 * @param githubRateLimited      403 answers because the primary quota ({@code ratelimit_limit}) was used up
 * @param jiraRequests           all requests to the Jira simulator
 * @param jiraCloudSearchPages   {@code /rest/api/3/search/jql} requests
 * @param jiraDcSearchPages      {@code /rest/api/2/search} requests
 * @param jiraFaultsInjected     injected rate limits, errors, malformed and truncated bodies
 * @param jiraRateLimited        429 answers because the quota ({@code ratelimit_limit}) was used up
 * @param jiraFieldLists         {@code GET /rest/api/{2,3}/field} requests (field names resolved to ids)
 */
public record SimulatorStats(long githubRequests, long githubPullsPages, long githubCommitsCalls,
                             long githubUsersCalls, long githubTeamMembersCalls, long githubNotModified,
                             long githubFaultsInjected, long githubRateLimited, long jiraRequests,
                             long jiraCloudSearchPages, long jiraDcSearchPages, long jiraFaultsInjected,
                             long jiraRateLimited, long jiraFieldLists) {
}
