package io.aem.demo.httpd;

/** The request methods the server tells apart: it serves {@code GET} and {@code HEAD}, and answers 405 to every other. */
public enum HttpMethod {
    /** {@code GET}. */
    GET,
    /** {@code HEAD}: the {@code GET} response without its body. */
    HEAD,
    /** Any other syntactically valid method: answered with 405 and {@code Allow: GET, HEAD}. */
    OTHER
}
