package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.SafeText;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.ErrorResponder.ErrorType;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.HaltException;
import spark.Route;

/**
 * The routes' errors, in James's WebAdmin shape ({@code statusCode}, {@code type}, {@code message},
 * {@code details}) through its {@link ErrorResponder}. A detail may quote what the request sent:
 * it is cleaned ({@link SafeText}) before it is answered, and never logged.
 */
final class RouteErrors {
    private static final Logger LOG = LoggerFactory.getLogger(RouteErrors.class);
    /** Longest detail answered: the reasons of {@code EmailAddress} quote at most 80 characters of the input. */
    private static final int MAX_DETAIL = 300;

    private RouteErrors() {
    }

    static HaltException badRequest(String message, String details) {
        return error(HttpStatus.BAD_REQUEST_400, ErrorType.INVALID_ARGUMENT, message, details);
    }

    static HaltException notFound(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorType.NOT_FOUND)
            .message(message).haltError();
    }

    /** No handler registered what the routes act with: a state of the server, not of the request. */
    static HaltException noHandler() {
        return error(HttpStatus.CONFLICT_409, ErrorType.WRONG_STATE,
            "no CallbackVerifyHandler is configured",
            "the /cbv routes verify, read and forget as the first CallbackVerifyHandler of smtpserver.xml does; "
                + "add one to a <handlerchain> (conf-samples/smtpserver.xml) and restart James");
    }

    /** The verdict memory or the limits did not answer in time. */
    static HaltException unavailable(String what) {
        return error(HttpStatus.SERVICE_UNAVAILABLE_503, ErrorType.SERVER_ERROR, what + " did not answer", null);
    }

    private static HaltException error(int status, ErrorType type, String message, String details) {
        ErrorResponder error = ErrorResponder.builder().statusCode(status).type(type).message(message);
        if (details != null) {
            // ErrorResponder's details are its cause's message.
            error.cause(new IllegalArgumentException(SafeText.clean(details, MAX_DETAIL)));
        }
        return error.haltError();
    }

    /**
     * {@code route}, any failure of ours a 500 in the same shape: Spark would otherwise log the
     * exception as it is, and its message may quote the request.
     */
    static Route safely(Route route) {
        return (request, response) -> {
            try {
                return route.handle(request, response);
            } catch (HaltException answered) {
                throw answered;
            } catch (RuntimeException e) {
                LOG.warn("a /cbv request failed: {}", e.getClass().getName());
                LOG.debug("the failure", e);
                throw ErrorResponder.builder().statusCode(HttpStatus.INTERNAL_SERVER_ERROR_500)
                    .type(ErrorType.SERVER_ERROR).message("the request failed inside james-smtp-cbv; see James's log")
                    .haltError();
            }
        };
    }
}
