// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Minimal request and response objects for calling the servlet without a
 * container: dynamic proxies answering the few methods the servlet uses, and
 * failing loudly on any other.
 */
final class Fakes {

    private Fakes() {
    }

    static HttpServletRequest request(String method, String pathInfo, String authorization, String body) {
        ByteArrayInputStream in = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(Fakes.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, called, args) -> switch (called.getName()) {
                    case "getMethod" -> method;
                    case "getPathInfo" -> pathInfo;
                    case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization : null;
                    case "getInputStream" -> stream;
                    default -> throw new UnsupportedOperationException("fake request: " + called);
                });
    }

    /** What the servlet answered. */
    static final class Response {
        int status = 200;
        String contentType;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final HttpServletResponse proxy;

        Response() {
            ServletOutputStream stream = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
            PrintWriter writer = new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.US_ASCII));
            proxy = (HttpServletResponse) Proxy.newProxyInstance(Fakes.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (p, called, args) -> {
                        switch (called.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                            case "setContentType" -> contentType = (String) args[0];
                            case "setContentLength" -> headers.put("Content-Length", args[0].toString());
                            case "getOutputStream" -> {
                                return stream;
                            }
                            case "getWriter" -> {
                                return writer;
                            }
                            default -> throw new UnsupportedOperationException("fake response: " + called);
                        }
                        return null;
                    });
        }

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }
}
