package org.quorum.security.http;

import java.util.Map;

/**
 * The sign-in page of the authorization endpoint: a plain HTML form, no script, styles inline (the
 * page's Content-Security-Policy allows nothing else), every field labelled.
 */
final class SignInPage {

    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    /** The request parameters carried through the form. */
    static final String[] CARRIED = {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "aud"
    };

    private SignInPage() {}

    static String form(Map<String, String> params, String username, String error) {
        StringBuilder hidden = new StringBuilder();
        for (String name : CARRIED) {
            String value = params.get(name);
            if (value != null) {
                hidden.append("<input type=\"hidden\" name=\"")
                        .append(name)
                        .append("\" value=\"")
                        .append(escape(value))
                        .append("\">");
            }
        }
        return page(
                "Sign in",
                (error == null
                                ? ""
                                : "<p class=\"error\" role=\"alert\" id=\"error\">"
                                        + escape(error)
                                        + "</p>")
                        + "<form method=\"post\" action=\"/auth/authorize\">"
                        + hidden
                        + "<label for=\"username\">User name</label>"
                        + "<input id=\"username\" name=\"username\" autocomplete=\"username\""
                        + " required autofocus value=\""
                        + escape(username == null ? "" : username)
                        + "\""
                        + (error == null ? "" : " aria-describedby=\"error\"")
                        + ">"
                        + "<label for=\"password\">Password</label>"
                        + "<input id=\"password\" name=\"password\" type=\"password\""
                        + " autocomplete=\"current-password\" required>"
                        + "<button type=\"submit\">Sign in</button>"
                        + "</form>");
    }

    static String problem(String message) {
        return page(
                "Cannot sign in",
                "<p class=\"error\" role=\"alert\">"
                        + escape(message)
                        + "</p><p>Open the reviewer UI again from its address.</p>");
    }

    private static String page(String heading, String body) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>"
                + heading
                + " · Quorum</title><style>"
                + "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2433;"
                + "display:flex;justify-content:center;padding-top:12vh;margin:0}"
                + "main{background:#fff;border:1px solid #d6d9e0;border-radius:8px;"
                + "padding:2rem 2.5rem;width:22rem}"
                + "h1{font-size:1.4rem;margin:0 0 1.2rem}label{display:block;margin:.8rem 0 .3rem;"
                + "font-weight:600}input{width:100%;box-sizing:border-box;padding:.55rem;"
                + "font-size:1rem;border:1px solid #8a93a6;border-radius:4px}"
                + "button{margin-top:1.4rem;width:100%;padding:.65rem;font-size:1rem;"
                + "background:#1f4fa3;color:#fff;border:0;border-radius:4px;cursor:pointer}"
                + "button:focus,input:focus{outline:3px solid #f5b700;outline-offset:1px}"
                + ".error{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:4px}"
                + ".brand{color:#1f4fa3;font-weight:700;letter-spacing:.05em}"
                + "</style></head><body><main><p class=\"brand\">QUORUM</p><h1>"
                + heading
                + "</h1>"
                + body
                + "</main></body></html>";
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
