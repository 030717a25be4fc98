package io.github.jamescbv.james;

import io.github.jamescbv.verify.PolicyRejection;
import io.github.jamescbv.verify.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;

/**
 * A verdict as Mail attributes: {@code <name>} = pass | error | transient (a String, which
 * James's {@code HasMailAttributeWithValue} matcher compares), and {@code <name>.detail} = a
 * map of Strings: the verdict's detail, and {@code policyRejection} ("true" for an error that is
 * the remote refusing us by policy rather than the address, see {@link PolicyRejection}). Only
 * String and Map values, so that the mail serializes through persistent mail queues and
 * repositories.
 */
final class VerdictAttributes {
    static final String DETAIL_SUFFIX = ".detail";
    static final String POLICY_REJECTION = "policyRejection";

    private final AttributeName result;
    private final AttributeName detail;

    VerdictAttributes(String name) {
        this.result = AttributeName.of(name);
        this.detail = AttributeName.of(name + DETAIL_SUFFIX);
    }

    List<Attribute> of(Verdict verdict) {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        verdict.detail().forEach((k, v) -> map.put(k, AttributeValue.of(v)));
        map.put(POLICY_REJECTION, AttributeValue.of(Boolean.toString(PolicyRejection.isPolicyRejection(verdict))));
        return List.of(
            new Attribute(result, AttributeValue.of(verdict.result().word())),
            new Attribute(detail, AttributeValue.of(map)));
    }
}
