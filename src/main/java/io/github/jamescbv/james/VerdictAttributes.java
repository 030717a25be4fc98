package io.github.jamescbv.james;

import io.github.jamescbv.core.PolicyRejection;
import io.github.jamescbv.core.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;

/**
 * A verdict as Mail attributes: {@code <name>} = pass | error | transient (a String, which
 * James's {@code HasMailAttributeWithValue} matcher compares), and {@code <name>.detail} = a
 * map of Strings: the verdict's detail, and {@code policyRejection} ("true" for an error that is
 * the remote refusing us by policy rather than the address, see {@link PolicyRejection}). When the
 * domain was found to accept every local part, also {@code <name>.accept_all} = true (a Boolean:
 * {@code HasMailAttribute} or {@code HasMailAttributeWithValue=<name>.accept_all, true} let policy
 * treat such a pass apart). Only String, Boolean and Map values, so that the mail serializes
 * through persistent mail queues and repositories.
 *
 * <p>Also {@code <name>.summary}: the detail again as one String for people, {@code result=error,
 * stage=rcpt, code=550, ..., text=...} (the values that are not empty, the text last since it may
 * hold commas). James's WebAdmin shows an attribute as its value's {@code toString()}: for the
 * detail map, a dump of James's wrapper objects ({@code {result=AttributeValue{value=error,
 * serializer=StringSerializer}, ...}}); for a String, the String. Programs keep reading the detail map.
 */
final class VerdictAttributes {
    static final String DETAIL_SUFFIX = ".detail";
    static final String ACCEPT_ALL_SUFFIX = ".accept_all";
    static final String SUMMARY_SUFFIX = ".summary";
    static final String POLICY_REJECTION = "policyRejection";

    private final AttributeName result;
    private final AttributeName detail;
    private final AttributeName acceptAll;
    private final AttributeName summary;

    VerdictAttributes(String name) {
        this.result = AttributeName.of(name);
        this.detail = AttributeName.of(name + DETAIL_SUFFIX);
        this.acceptAll = AttributeName.of(name + ACCEPT_ALL_SUFFIX);
        this.summary = AttributeName.of(name + SUMMARY_SUFFIX);
    }

    List<Attribute> of(Verdict verdict) {
        Map<String, String> details = verdict.detail();
        details.put(POLICY_REJECTION, Boolean.toString(PolicyRejection.isPolicyRejection(verdict)));
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        details.forEach((k, v) -> map.put(k, AttributeValue.of(v)));
        List<Attribute> attributes = new ArrayList<>(4);
        attributes.add(new Attribute(result, AttributeValue.of(verdict.result().word())));
        attributes.add(new Attribute(detail, AttributeValue.of(map)));
        attributes.add(new Attribute(summary, AttributeValue.of(summary(details))));
        if (verdict.acceptsAll()) {
            attributes.add(new Attribute(acceptAll, AttributeValue.of(true)));
        }
        return List.copyOf(attributes);
    }

    /** The detail's entries with a value, as {@code key=value} joined by ", ", the text last. */
    static String summary(Map<String, String> details) {
        StringJoiner line = new StringJoiner(", ");
        details.forEach((k, v) -> {
            if (!v.isEmpty() && !"text".equals(k)) {
                line.add(k + "=" + v);
            }
        });
        String text = details.getOrDefault("text", "");
        if (!text.isEmpty()) {
            line.add("text=" + text);
        }
        return line.toString();
    }
}
