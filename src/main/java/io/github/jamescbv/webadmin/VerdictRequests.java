package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.core.VerdictJson;
import io.github.jamescbv.james.CbvRuntime;
import io.github.jamescbv.james.OperatorAccess;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.james.webadmin.utils.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.HaltException;
import spark.Request;
import spark.Response;

/**
 * {@code /cbv/verdicts}: verify an address now, read what the memory holds for it, forget it, or
 * forget a whole domain; each as the first handler would (its map, its settings), in the memory
 * every handler and mailet of the process shares: a verdict forgotten here is gone for them.
 * Each action is logged at INFO with the (checked) address or domain.
 */
final class VerdictRequests {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictRequests.class);
    static final String DIALOG = "dialog";

    private final CbvRuntime runtime;
    private final Clock clock;

    VerdictRequests(CbvRuntime runtime, Clock clock) {
        this.runtime = runtime;
        this.clock = clock;
    }

    /** {@code POST /cbv/verdicts/{address}[?dialog=true]}: the verdict as {@code cbv verify --json} prints it. */
    Object verify(Request request, Response response) throws HaltException {
        EmailAddress address = AddressParameter.of(request);
        boolean withDialog = dialogWanted(request);
        OperatorAccess access = access();
        access.notProbed(address).ifPresent(reason -> {
            throw RouteErrors.badRequest("Address will not be probed", reason);
        });
        List<String> dialog = new CopyOnWriteArrayList<>();
        LOG.info("WebAdmin: verifying {} now", address);
        Verdict verdict = access.verifyNow(address, withDialog ? dialog::add : line -> { });
        return VerdictJson.render(verdict, address.toString(), List.copyOf(dialog), withDialog);
    }

    /** {@code GET /cbv/verdicts/{address}}: what answers for it now and until when; 404 when nothing does. */
    Object read(Request request, Response response) throws HaltException {
        EmailAddress address = AddressParameter.of(request);
        OperatorAccess access = access();
        CallbackTarget target = access.target(address);
        List<Remembered> held = StoreAnswer.await(
            memory(access).recall(target.recipient().toString(), target.domain()), "the verdict memory");
        Remembered answering = VerdictMemory.answering(held)
            .orElseThrow(() -> RouteErrors.notFound("no verdict held for " + address));
        return HeldVerdictJson.render(address, target, answering, held, clock.instant());
    }

    /** {@code DELETE /cbv/verdicts/{address}}: 204 whether anything was held or not. */
    Object forget(Request request, Response response) throws HaltException {
        EmailAddress address = AddressParameter.of(request);
        OperatorAccess access = access();
        String key = access.target(address).recipient().toString();
        boolean held = StoreAnswer.await(memory(access).forgetAddress(key), "the verdict memory");
        LOG.info("WebAdmin: forgot the verdict of {} (held under {}: {})", address, key, held);
        return Responses.returnNoContent(response);
    }

    /** {@code DELETE /cbv/verdicts?domain=D}: every verdict and fact of the domain called back for D; 204. */
    Object forgetDomain(Request request, Response response) throws HaltException {
        String domain = DomainParameter.of(request);
        OperatorAccess access = access();
        String calledBack;
        try {
            calledBack = access.calledBackDomain(domain);
        } catch (InvalidAddressException e) {
            throw RouteErrors.badRequest("Invalid domain", e.getMessage());
        }
        int forgotten = StoreAnswer.await(memory(access).forgetDomain(calledBack), "the verdict memory");
        LOG.info("WebAdmin: forgot {} verdicts and facts of domain {} (called back as {})", forgotten, domain, calledBack);
        return Responses.returnNoContent(response);
    }

    private OperatorAccess access() throws HaltException {
        return runtime.operators().orElseThrow(RouteErrors::noHandler);
    }

    private static VerdictMemory memory(OperatorAccess access) {
        return access.protections().memory();
    }

    private static boolean dialogWanted(Request request) throws HaltException {
        String value = request.queryParams(DIALOG);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw RouteErrors.badRequest("Invalid dialog", "dialog is true or false");
    }
}
