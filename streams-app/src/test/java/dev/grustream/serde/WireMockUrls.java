package dev.grustream.serde;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

/**
 * The URL of a WireMock server on plain HTTP. WireMock's own {@code baseUrl()} formats the port with
 * {@code String.format} in the default locale, so under one with other digits (ar-EG) it gives a URL without a host,
 * and every test built on it would fail for WireMock's sake rather than the client's.
 */
final class WireMockUrls {
    private WireMockUrls() {
    }

    static String of(WireMockExtension server) {
        return "http://localhost:" + server.getPort();
    }
}
