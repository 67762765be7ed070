package dev.grustream.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answer to requests that never reach the endpoints (a malformed request line, an illegal
 * percent-encoding, headers too large): the same JSON error body as every other error, instead of Jetty's HTML.
 * The reason Jetty gives is replaced by a fixed message, since it may quote the request.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return ByteBuffer.wrap(body(status));
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        response.getOutputStream().write(body(code));
    }

    private static byte[] body(int status) {
        return Json.write(Map.of("status", status, "error", status >= 500 ? "internal_error" : "bad_request",
                "message", status >= 500 ? "The request failed inside the service; see its log"
                        : "The request is malformed (request line, percent-encoding or headers)"));
    }
}
