package io.github.jamescbv.james;

import io.github.jamescbv.core.PolicyRejection;
import io.github.jamescbv.core.Verdict;
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
 * the remote refusing us by policy rather than the address, see {@link PolicyRejection}). When the
 * domain was found to accept every local part, also {@code <name>.accept_all} = true (a Boolean:
 * {@code HasMailAttribute} or {@code HasMailAttributeWithValue=<name>.accept_all, true} let policy
 * treat such a pass apart). Only String, Boolean and Map values, so that the mail serializes
 * through persistent mail queues and repositories.
 */
final class VerdictAttributes {
    static final String DETAIL_SUFFIX = ".detail";
    static final String ACCEPT_ALL_SUFFIX = ".accept_all";
    static final String POLICY_REJECTION = "policyRejection";

    private final AttributeName result;
    private final AttributeName detail;
    private final AttributeName acceptAll;

    VerdictAttributes(String name) {
        this.result = AttributeName.of(name);
        this.detail = AttributeName.of(name + DETAIL_SUFFIX);
        this.acceptAll = AttributeName.of(name + ACCEPT_ALL_SUFFIX);
    }

    List<Attribute> of(Verdict verdict) {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        verdict.detail().forEach((k, v) -> map.put(k, AttributeValue.of(v)));
        map.put(POLICY_REJECTION, AttributeValue.of(Boolean.toString(PolicyRejection.isPolicyRejection(verdict))));
        Attribute resultAttribute = new Attribute(result, AttributeValue.of(verdict.result().word()));
        Attribute detailAttribute = new Attribute(detail, AttributeValue.of(map));
        if (verdict.acceptsAll()) {
            return List.of(resultAttribute, detailAttribute, new Attribute(acceptAll, AttributeValue.of(true)));
        }
        return List.of(resultAttribute, detailAttribute);
    }
}
