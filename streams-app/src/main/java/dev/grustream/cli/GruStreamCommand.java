package dev.grustream.cli;

/** Placeholder entry point; replaced by the picocli command line. */
public final class GruStreamCommand {
    private GruStreamCommand() {
    }

    public static void main(String[] args) {
        System.out.println("gru-stream");
    }
}
