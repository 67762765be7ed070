package dev.grustream.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Every field of every schema, nested records' included, says what it holds, as the README promises. */
class SchemaDocsTest {
    @Test
    void everyFieldHasADoc() {
        List<String> undocumented = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Schema schema : List.of(Observation.SCHEMA$, Forecast.SCHEMA$, AnomalyAlert.SCHEMA$,
                PendingObservation.SCHEMA$, SeriesState.SCHEMA$)) {
            collectUndocumented(schema, seen, undocumented);
        }

        assertThat(undocumented).isEmpty();
    }

    private static void collectUndocumented(Schema schema, Set<String> seen, List<String> undocumented) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        undocumented.add(schema.getFullName() + "." + field.name());
                    }
                    collectUndocumented(field.schema(), seen, undocumented);
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collectUndocumented(branch, seen, undocumented));
            case ARRAY -> collectUndocumented(schema.getElementType(), seen, undocumented);
            case MAP -> collectUndocumented(schema.getValueType(), seen, undocumented);
            default -> {
                // A primitive, enum or fixed: no fields.
            }
        }
    }
}
