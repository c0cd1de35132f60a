package io.omnisql.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in README.md, BENCHMARKS.md and docs/*.md must name a file of the repository, and every
 * anchor one of the target page's headings (GitHub's slugs) or HTML anchors, so a renamed heading or a moved page
 * fails the build instead of leaving readers at a dead link.
 */
class DocsLinksTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyRelativeLinkAndAnchorOfTheDocsResolves() {
        List<Path> pages = pages(ROOT);
        assertThat(pages).as("README.md, BENCHMARKS.md and the docs/ pages")
                .contains(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md"), ROOT.resolve("docs/architecture.md"));
        assertThat(brokenLinks(ROOT, pages)).as("broken links (file:line: target)").isEmpty();
    }

    @Test
    void theFrontPageMapsEveryDocsPage() {
        String readme = read(ROOT.resolve("README.md"));
        for (Path page : pages(ROOT)) {
            if (page.getParent().equals(ROOT.resolve("docs"))) {
                assertThat(readme).as("README.md links to docs/%s", page.getFileName())
                        .contains("](docs/" + page.getFileName() + ")");
            }
        }
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(slug("Embedded GitHub and Jira simulators (`io.omnisql.sim`)"))
                .isEqualTo("embedded-github-and-jira-simulators-ioomnisqlsim");
        assertThat(slug("Connectors: GitHub, Jira Cloud, Jira Data Center")).isEqualTo("connectors-github-jira-cloud-jira-data-center");
        assertThat(slug("`policies.tables.<table>`")).isEqualTo("policiestablestable");
        assertThat(slug("`GET /v1/catalog`")).isEqualTo("get-v1catalog");
        assertThat(slug("login -> team mapping (`DemoData.authorTeams()`)")).isEqualTo("login---team-mapping-demodataauthorteams");
        assertThat(slug("Query `max_rows_per_table` and [links](x.md)")).isEqualTo("query-max_rows_per_table-and-links");
    }

    @Test
    void brokenFilesAndAnchorsAreReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("README.md"), """
                # Title
                ## Same
                ## Same
                [ok](#same-1) [ok](docs/a.md#a-page) [ok](docs/a.md) [web](https://example.com/x.md#nope)
                [bad anchor](#same-2) [bad file](docs/missing.md)
                `[in code](#nowhere)`
                ```
                [in a fence](#nowhere)
                ```
                [ref]: docs/a.md#no-such-heading
                """);
        Files.writeString(dir.resolve("docs/a.md"), "# A page\n<a id=\"custom\"></a>\n[ok](../README.md#title) [ok](#custom)\n");
        assertThat(brokenLinks(dir, pages(dir))).containsExactly(
                "README.md:5: #same-2", "README.md:5: docs/missing.md", "README.md:10: docs/a.md#no-such-heading");
    }

    // --- the checker ---

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private static List<Path> pages(Path root) {
        List<Path> pages = new ArrayList<>();
        for (String name : List.of("README.md", "BENCHMARKS.md")) {
            if (Files.exists(root.resolve(name))) {
                pages.add(root.resolve(name));
            }
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> files = Files.list(docs)) {
                files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pages;
    }

    /** "file:line: target" for every relative link whose file or anchor does not exist. */
    private static List<String> brokenLinks(Path root, List<Path> pages) {
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = read(page).lines().toList();
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (FENCE.matcher(line).find()) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                for (String target : targets(line)) {
                    if (SCHEME.matcher(target).find()) {
                        continue; // http(s), mailto: not this test's business
                    }
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    boolean ok = resolved.startsWith(root) && Files.exists(resolved);
                    if (ok && anchor != null && resolved.toString().endsWith(".md")) {
                        ok = anchors.computeIfAbsent(resolved, DocsLinksTest::anchors).contains(anchor);
                    }
                    if (!ok) {
                        broken.add(root.relativize(page) + ":" + (i + 1) + ": " + target);
                    }
                }
            }
        }
        return broken;
    }

    private static List<String> targets(String line) {
        List<String> targets = new ArrayList<>();
        Matcher ref = REFERENCE.matcher(line);
        if (ref.matches()) {
            targets.add(ref.group(1));
            return targets;
        }
        Matcher m = INLINE_LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
        while (m.find()) {
            targets.add(m.group(1));
        }
        return targets;
    }

    /** The anchors GitHub renders for a page: heading slugs (repeats numbered -1, -2, ...) and HTML ids. */
    private static Set<String> anchors(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : read(page).lines().toList()) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(2));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
            Matcher a = HTML_ANCHOR.matcher(line);
            while (a.find()) {
                anchors.add(a.group(1));
            }
        }
        return anchors;
    }

    /** GitHub's heading slug: the rendered text, lower case, punctuation dropped, spaces turned into hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)]\\([^)]*\\)", "$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "").replace(' ', '-');
    }

    private static String read(Path page) {
        try {
            return Files.readString(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
