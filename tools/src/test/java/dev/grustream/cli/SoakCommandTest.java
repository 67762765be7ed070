package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code gru-stream soak}'s options, refused before any broker starts. */
class SoakCommandTest {

    @Test
    void aSettingOfTheTopicsFormatsIsRefusedAsTheSoakWritesItsOwnAvroObservations() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("soak",
                "--set", "input.format=json");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("input.format does not apply").doesNotContain("internal error");
    }
}
