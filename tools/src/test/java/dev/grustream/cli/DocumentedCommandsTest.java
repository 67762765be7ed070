package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ./gru-stream} command line of the README and the guides, in a code block or quoted in the text, parses
 * with the command line the launcher runs: its command and options exist, with values of the right kind. Optional
 * parts written in brackets are parsed both left out and given.
 */
class DocumentedCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A command line quoted in running text. */
    private static final Pattern INLINE = Pattern.compile("`\\./gru-stream ([^`]+)`");

    @Test
    void everyDocumentedCommandLineParses() throws IOException {
        List<String> commands = documentedCommands();

        assertThat(commands).as("command lines found").hasSizeGreaterThan(10);
        for (String command : commands) {
            for (List<String> args : List.of(words(command.replaceAll("\\[[^\\]]*]", "")),
                    words(command.replace("[", "").replace("]", "")))) {
                assertThatCode(() -> GruStreamTools.commandLine().parseArgs(args.toArray(String[]::new)))
                        .as(command).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void aMisspeltOptionInACommandLineIsCaught() {
        assertThatCode(() -> GruStreamTools.commandLine().parseArgs(words("demo --duraton 10s")
                .toArray(String[]::new))).isNotNull().hasMessageContaining("--duraton");
    }

    /** The command lines after {@code ./gru-stream}: in fenced code blocks, continuation lines joined, and quoted. */
    private static List<String> documentedCommands() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("docker/README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(page -> page.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> commands = new ArrayList<>();
        for (Path page : pages) {
            boolean inBlock = false;
            StringBuilder line = new StringBuilder();
            // Running text is read a paragraph at a time: a quoted command may wrap onto the next line.
            StringBuilder paragraph = new StringBuilder();
            for (String text : Files.readAllLines(page)) {
                if (text.strip().startsWith("```") || !inBlock && text.isBlank()) {
                    addQuoted(paragraph, commands);
                }
                if (text.strip().startsWith("```")) {
                    inBlock = !inBlock;
                    continue;
                }
                if (!inBlock) {
                    paragraph.append(text.strip()).append(' ');
                    continue;
                }
                line.append(text.strip());
                if (text.endsWith("\\")) {
                    line.setLength(line.length() - 1);
                    line.append(' ');
                    continue;
                }
                String command = line.toString();
                line.setLength(0);
                if (command.startsWith("./gru-stream ")) {
                    commands.add(command.substring("./gru-stream ".length()).replaceAll("\\s+#.*$", ""));
                }
            }
            addQuoted(paragraph, commands);
        }
        return commands;
    }

    /** Adds the commands quoted in {@code paragraph} to {@code commands}, and empties it. */
    private static void addQuoted(StringBuilder paragraph, List<String> commands) {
        Matcher inline = INLINE.matcher(paragraph);
        while (inline.find()) {
            commands.add(inline.group(1).strip());
        }
        paragraph.setLength(0);
    }

    /** Splits a shell command line into words: blanks separate them, quotes keep them together; "..." is dropped. */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        words.removeIf(w -> w.equals("..."));
        return words;
    }
}
