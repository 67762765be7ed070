package dev.grustream.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for {@code localhost} in a PKCS12 key store, and a trust store holding it: enough for a
 * broker listener or a registry with TLS and the clients that connect to it. Made with the JDK's {@code keytool},
 * because the JDK has no public API that signs a certificate.
 *
 * @param keyStore the broker's key and certificate
 * @param trustStore the certificate alone, for clients
 * @param password the password of both stores and of the key
 */
public record SelfSignedTls(Path keyStore, Path trustStore, String password) {
    /** Creates both stores in {@code directory}. */
    public static SelfSignedTls create(Path directory, String password) throws IOException, InterruptedException {
        return create(directory, password, "localhost", "SAN=dns:localhost,ip:127.0.0.1");
    }

    /**
     * Creates both stores in {@code directory} for a certificate of common name {@code host} whose subject
     * alternative names are {@code san} (keytool's {@code -ext} form, "SAN=dns:a.example,ip:10.0.0.1").
     */
    public static SelfSignedTls create(Path directory, String password, String host, String san)
            throws IOException, InterruptedException {
        SelfSignedTls tls = new SelfSignedTls(directory.resolve("broker.p12"), directory.resolve("clients.p12"),
                password);
        Path certificate = directory.resolve("broker.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + host, "-ext", san, "-storetype", "PKCS12",
                "-keystore", tls.keyStore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-file", certificate.toString(),
                "-keystore", tls.keyStore.toString(), "-storepass", password);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", tls.trustStore.toString(), "-storepass", password);
        return tls;
    }

    /** A server-side TLS context with the key and certificate of {@link #keyStore()}. */
    public SSLContext serverContext() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
