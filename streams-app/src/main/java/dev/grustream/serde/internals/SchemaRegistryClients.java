package dev.grustream.serde.internals;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.config.ConfigException;

import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.serde.SchemaRegistryClient;

/** Builds the registry client a validated {@link AvroSerdeConfig} asks for. Stateless. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {
    }

    /**
     * Returns the shared client of a {@code mock://} scope, or a caching REST client over the configured URLs.
     *
     * @throws ConfigException naming {@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG} when no URL is configured
     */
    public static SchemaRegistryClient create(AvroSerdeConfig config) {
        Optional<String> scope = config.mockScope();
        if (scope.isPresent()) {
            return MockSchemaRegistry.clientForScope(scope.get());
        }
        List<String> urls = config.schemaRegistryUrls();
        if (urls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG
                    + "\": expected http(s)://host:port[,...] or mock://<scope>");
        }
        List<RestSchemaRegistryClient.Endpoint> endpoints = new ArrayList<>(urls.size());
        for (String url : urls) {
            endpoints.add(endpoint(url, config));
        }
        return new CachingSchemaRegistryClient(
                new RestSchemaRegistryClient(endpoints, config.connectTimeout(), config.requestTimeout()));
    }

    private static RestSchemaRegistryClient.Endpoint endpoint(String url, AvroSerdeConfig config) {
        URI uri = URI.create(url);
        Optional<String> userInfo = config.credentialsFromUserInfo()
                ? config.basicAuthUserInfo()
                : Optional.ofNullable(uri.getRawUserInfo()).map(raw -> URLDecoder.decode(raw, StandardCharsets.UTF_8));
        String authority = uri.getRawAuthority();
        URI base = URI.create(uri.getScheme() + "://" + authority.substring(authority.lastIndexOf('@') + 1)
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
        return new RestSchemaRegistryClient.Endpoint(base, userInfo.map(SchemaRegistryClients::basicAuth));
    }

    private static String basicAuth(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
}
