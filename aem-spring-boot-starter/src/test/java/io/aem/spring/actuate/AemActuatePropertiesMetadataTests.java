package io.aem.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationprocessor.json.JSONArray;
import org.springframework.boot.configurationprocessor.json.JSONException;
import org.springframework.boot.configurationprocessor.json.JSONObject;

/**
 * The configuration metadata generated from {@link AemHealthProperties} and
 * {@link AemMetricsProperties}.
 */
class AemActuatePropertiesMetadataTests {

    @Test
    void healthAndMetricsPropertiesAreDescribedWithTheirDefaults() throws IOException, JSONException {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JSONArray properties = new JSONObject(json).getJSONArray("properties");
        Map<String, JSONObject> byName = new HashMap<>();
        for (int i = 0; i < properties.length(); i++) {
            JSONObject property = properties.getJSONObject(i);
            if (property.optString("sourceType").startsWith("io.aem.spring.actuate.")) {
                byName.put(property.getString("name"), property);
            }
        }
        assertThat(byName).containsOnlyKeys("aem.health.limit-warning-ratio", "aem.metrics.refresh-interval",
                "aem.metrics.lag-probe-interval");
        assertThat(byName).allSatisfy((name, property) -> assertThat(property.optString("description"))
                .as("description of %s", name).isNotBlank());
        assertThat(byName.get("aem.health.limit-warning-ratio").get("defaultValue")).isEqualTo(0.9);
        assertThat(byName.get("aem.metrics.refresh-interval").get("defaultValue")).isEqualTo("5s");
        assertThat(byName.get("aem.metrics.lag-probe-interval").get("defaultValue")).isEqualTo("1s");
    }
}
