package io.aem.spring.autoconfigure;

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
 * The configuration metadata generated from {@link AemProperties}: what IDEs complete and
 * document. Read with the JSON classes of the configuration processor that wrote it.
 */
class AemPropertiesMetadataTests {

    @Test
    void everyPropertyIsDescribed() throws IOException, JSONException {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JSONArray properties = new JSONObject(json).getJSONArray("properties");
        Map<String, JSONObject> byName = new HashMap<>();
        for (int i = 0; i < properties.length(); i++) {
            JSONObject property = properties.getJSONObject(i);
            if (property.optString("sourceType").startsWith("io.aem.spring.autoconfigure.AemProperties")) {
                byName.put(property.getString("name"), property);
            }
        }
        assertThat(byName).containsOnlyKeys("aem.enabled", "aem.loops.count", "aem.loops.name-prefix",
                "aem.loops.cpu-affinity", "aem.loops.max-events-per-wait", "aem.loops.realtime.policy",
                "aem.loops.realtime.priority", "aem.sources.watch", "aem.sources.timer", "aem.sources.command",
                "aem.sources.process-events", "aem.sources.fanotify", "aem.sources.permissions", "aem.sources.bpf", "aem.handlers.scheduler",
                "aem.events.publish", "aem.shutdown.timeout");
        assertThat(byName).allSatisfy((name, property) -> assertThat(property.optString("description"))
                .as("description of %s", name).isNotBlank());
        assertThat(byName.get("aem.enabled").get("defaultValue")).isEqualTo(true);
        assertThat(byName.get("aem.loops.count").get("defaultValue")).isEqualTo(1);
        assertThat(byName.get("aem.loops.name-prefix").get("defaultValue")).isEqualTo("aem");
        assertThat(byName.get("aem.loops.realtime.policy").get("defaultValue")).isEqualTo("none");
        assertThat(byName.get("aem.handlers.scheduler").get("defaultValue")).isEqualTo("bounded-elastic");
        assertThat(byName.get("aem.events.publish").get("defaultValue")).isEqualTo(false);
        assertThat(byName.get("aem.shutdown.timeout").get("defaultValue")).isEqualTo("10s");
        assertThat(byName.get("aem.sources.watch").getString("type"))
                .isEqualTo("java.util.Map<java.lang.String,io.aem.spring.sources.WatchSourceProperties>");
    }
}
