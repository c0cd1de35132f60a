package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class NumberedPagesTest {
    @Test
    void listsEveryPageFromNextToLastKeepingTheServersUrlForm() {
        assertThat(HttpConnector.numberedPages(
                URI.create("https://api.github.com/repositories/1300192/pulls?state=all&per_page=100&page=2"),
                URI.create("https://api.github.com/repositories/1300192/pulls?state=all&per_page=100&page=4")))
                .extracting(URI::toString)
                .containsExactly("https://api.github.com/repositories/1300192/pulls?state=all&per_page=100&page=2",
                        "https://api.github.com/repositories/1300192/pulls?state=all&per_page=100&page=3",
                        "https://api.github.com/repositories/1300192/pulls?state=all&per_page=100&page=4");
    }

    @Test
    void refusesLinksThatDifferInMoreThanOnePageNumber() {
        URI next = URI.create("http://h/repos/a/b/pulls?page=2&per_page=100");
        assertThat(HttpConnector.numberedPages(next, null)).isEmpty();
        assertThat(HttpConnector.numberedPages(next, URI.create("http://h/repositories/9/pulls?page=5&per_page=100"))).isEmpty();
        assertThat(HttpConnector.numberedPages(next, URI.create("http://h/repos/a/b/pulls?page=5&per_page=50"))).isEmpty();
        assertThat(HttpConnector.numberedPages(next, URI.create("http://h/repos/a/b/pulls?page=abc&per_page=100"))).isEmpty();
        assertThat(HttpConnector.numberedPages(next, URI.create("http://h/repos/a/b/pulls?page=1&per_page=100"))).isEmpty();
        assertThat(HttpConnector.numberedPages(URI.create("http://h/x?cursor=Y2&after=2"), URI.create("http://h/x?cursor=Y9&after=9"))).isEmpty();
    }
}
