package io.github.jamescbv.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

class MxPlanTest {
    private static final Name DOMAIN = Name.fromConstantString("example.com.");

    private static Record mx(int preference, String target) {
        return new MXRecord(DOMAIN, DClass.IN, 300, preference, Name.fromConstantString(target));
    }

    private static List<String> targets(MxPlan plan) {
        return plan.hosts().stream().map(r -> r.getTarget().toString()).collect(Collectors.toList());
    }

    @Test
    void onlyNullMxRecordsMeanNoMail() {
        assertThat(MxPlan.of(List.of(mx(0, ".")), new Random(1)).nullMx()).isTrue();
        // a null MX with another preference, or twice, is still nothing but null MX
        assertThat(MxPlan.of(List.of(mx(10, "."), mx(0, ".")), new Random(1)).nullMx()).isTrue();
    }

    @Test
    void nullMxNextToARealOneIsDroppedWithANote() {
        MxPlan plan = MxPlan.of(List.of(mx(0, "."), mx(10, "mx.example.com.")), new Random(1));

        assertThat(plan.nullMx()).isFalse();
        assertThat(targets(plan)).containsExactly("mx.example.com.");
        assertThat(plan.notes("example.com")).containsExactly("example.com. MX 0 . ignored: a null MX next to other MX records");
    }

    @Test
    void aHostListedTwiceKeepsItsBestPlace() {
        MxPlan plan = MxPlan.of(List.of(mx(30, "a.example.com."), mx(20, "b.example.com."), mx(10, "a.example.com.")), new Random(1));

        assertThat(targets(plan)).containsExactly("a.example.com.", "b.example.com.");
        assertThat(plan.hosts().get(0).getPriority()).isEqualTo(10);
    }

    @Test
    void keepsTheTenMostPreferred() {
        List<Record> records = new ArrayList<>();
        for (int i = 25; i > 0; i--) {
            records.add(mx(i, "mx" + i + ".example.com."));
        }

        MxPlan plan = MxPlan.of(records, new Random(1));

        assertThat(plan.hosts()).hasSize(MxPlan.MAX_HOSTS);
        assertThat(plan.hosts()).extracting(MXRecord::getPriority).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(plan.notes("example.com")).containsExactly("example.com. MX: 25 hosts, resolving only the 10 most preferred");
    }

    @Test
    void nonMxRecordsAreIgnored() {
        MxPlan plan = MxPlan.of(List.of(), new Random(1));

        assertThat(plan.nullMx()).isFalse();
        assertThat(plan.hosts()).isEmpty();
    }
}
