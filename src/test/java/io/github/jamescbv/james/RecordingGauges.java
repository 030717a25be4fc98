package io.github.jamescbv.james;

import java.util.Map;
import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.api.GaugeRegistry;

/** A gauge registry that keeps each gauge by name in the test's map, for the test to read. */
final class RecordingGauges {
    private RecordingGauges() {
    }

    static GaugeRegistry into(Map<String, Gauge<?>> gauges) {
        return new GaugeRegistry() {
            @Override
            public <T> GaugeRegistry register(String name, Gauge<T> gauge) {
                gauges.put(name, gauge);
                return this;
            }

            @Override
            public <T> SettableGauge<T> settableGauge(String name) {
                return value -> { };
            }
        };
    }
}
