package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import dev.grustream.serde.CompatibilityLevel;
import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryException;

class SchemaRegistryStoreTest {
    private static final Schema V1 = parse("""
            {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}""");
    private static final Schema V1_REFORMATTED = parse("""
            {  "fields": [ {"type": "int", "name": "a"} ],
               "name": "R",   "type": "record" }""");
    private static final Schema V2 = parse("""
            {"type": "record", "name": "R", "fields": [
              {"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}]}""");
    private static final Schema V2_WITHOUT_DEFAULT = parse("""
            {"type": "record", "name": "R", "fields": [
              {"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}""");

    private final SchemaRegistryStore store = new SchemaRegistryStore(CompatibilityLevel.BACKWARD);

    @Test
    void idsStartAtOneAndCountUp() {
        assertThat(store.register("s", V1)).isEqualTo(1);
        assertThat(store.register("s", V2)).isEqualTo(2);
    }

    @Test
    void reRegisteringTheSameSchemaReturnsItsIdWithoutANewVersion() {
        int id = store.register("s", V1);

        assertThat(store.register("s", V1_REFORMATTED)).isEqualTo(id);
        assertThat(store.latest("s")).isEqualTo(SchemaMetadata.of("s", 1, id, V1));
    }

    @Test
    void idsAreGlobalAcrossSubjects() {
        int id = store.register("first", V1);

        assertThat(store.register("second", V1_REFORMATTED)).isEqualTo(id);
        assertThat(store.lookup("second", V1)).isEqualTo(SchemaMetadata.of("second", 1, id, V1));
        assertThat(store.register("third", V2)).isEqualTo(id + 1);
    }

    @Test
    void aDifferentDefaultIsADifferentSchema() {
        Schema otherDefault = parse("""
                {"type": "record", "name": "R", "fields": [
                  {"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]}""");

        assertThat(store.register("s", V2)).isNotEqualTo(store.register("t", otherDefault));
    }

    @Test
    void versionsCountPerSubject() {
        store.register("s", V1);
        int v2 = store.register("s", V2);

        assertThat(store.lookup("s", V1).version()).isEqualTo(1);
        assertThat(store.latest("s")).isEqualTo(SchemaMetadata.of("s", 2, v2, V2));
    }

    @Test
    void refusesABackwardIncompatibleSchemaWith409() {
        store.register("s", V1);

        assertThatThrownBy(() -> store.register("s", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                })
                .hasMessageContaining("subject 's'")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT");
        assertThat(store.latest("s").schema()).isEqualTo(V1);
    }

    @Test
    void acceptsAnySchemaWhenCompatibilityIsNone() {
        SchemaRegistryStore anything = new SchemaRegistryStore(CompatibilityLevel.NONE);
        anything.register("s", V1);

        assertThat(anything.register("s", V2_WITHOUT_DEFAULT)).isEqualTo(2);
    }

    @Test
    void compatibilityCheckDoesNotRegister() {
        store.register("s", V1);

        assertThat(store.isCompatible("s", V2)).isTrue();
        assertThat(store.isCompatible("s", V2_WITHOUT_DEFAULT)).isFalse();
        assertThat(store.latest("s").version()).isEqualTo(1);
    }

    @Test
    void unknownSubjectIs40401() {
        assertRegistryError(() -> store.latest("nope"), SchemaRegistryException.SUBJECT_NOT_FOUND);
        assertRegistryError(() -> store.lookup("nope", V1), SchemaRegistryException.SUBJECT_NOT_FOUND);
        assertRegistryError(() -> store.isCompatible("nope", V1), SchemaRegistryException.SUBJECT_NOT_FOUND);
    }

    @Test
    void schemaNotUnderTheSubjectIs40403() {
        store.register("s", V1);
        store.register("t", V2);

        assertRegistryError(() -> store.lookup("s", V2), SchemaRegistryException.SCHEMA_NOT_FOUND);
    }

    @Test
    void unknownIdIs40403() {
        store.register("s", V1);

        assertRegistryError(() -> store.schemaById(0), SchemaRegistryException.SCHEMA_NOT_FOUND);
        assertRegistryError(() -> store.schemaById(2), SchemaRegistryException.SCHEMA_NOT_FOUND);
    }

    private static void assertRegistryError(ThrowingCallable call, int code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.errorCode()).isEqualTo(code);
        });
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
