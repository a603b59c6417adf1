package dev.genlab.tracking.mlflow;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * Where the MLflow server is and how to authenticate to it, read from the environment variables that
 * MLflow's Python client uses (the Java client reads none of them itself).
 *
 * <p>Secrets never leave this record in readable form: {@link #toString()} masks them, and every error
 * message built here names the variable, never its value.
 *
 * @param uri the tracking server's base URI, {@code http(s)://host[:port][/prefix]}, without a trailing
 *     slash and without user info
 * @param username basic-auth user ({@code MLFLOW_TRACKING_USERNAME}), or null
 * @param password basic-auth password ({@code MLFLOW_TRACKING_PASSWORD}), or null
 * @param token bearer token ({@code MLFLOW_TRACKING_TOKEN}), or null; basic auth wins when both are set,
 *     as in MLflow's clients
 * @param insecureTls skip TLS certificate and host name checks ({@code MLFLOW_TRACKING_INSECURE_TLS=true})
 */
public record MlflowSettings(String uri, String username, String password, String token, boolean insecureTls) {

    /** Environment variable naming the tracking server. */
    public static final String ENV_URI = "MLFLOW_TRACKING_URI";
    /** Environment variable with the basic-auth user. */
    public static final String ENV_USERNAME = "MLFLOW_TRACKING_USERNAME";
    /** Environment variable with the basic-auth password. */
    public static final String ENV_PASSWORD = "MLFLOW_TRACKING_PASSWORD";
    /** Environment variable with a bearer token. */
    public static final String ENV_TOKEN = "MLFLOW_TRACKING_TOKEN";
    /** Environment variable that turns off TLS verification. */
    public static final String ENV_INSECURE_TLS = "MLFLOW_TRACKING_INSECURE_TLS";

    /** Validates the URI (see {@link #parseUri}). */
    public MlflowSettings {
        uri = parseUri(uri, "the tracking URI");
        username = blankToNull(username);
        password = blankToNull(password);
        token = blankToNull(token);
        if ((username == null) != (password == null)) {
            throw new MlflowTrackingException(ENV_USERNAME + " and " + ENV_PASSWORD
                    + " must be set together (only one of them is set)");
        }
    }

    /**
     * Settings for a URI with the credentials of the environment.
     *
     * @param uri the tracking URI (e.g. from the spec's {@code tracking.uri}), or null to read
     *     {@code MLFLOW_TRACKING_URI}
     * @param env environment lookup, e.g. {@code System::getenv}
     * @return the settings
     * @throws MlflowTrackingException if no URI is given or it is not an http(s) URI
     */
    public static MlflowSettings resolve(String uri, Function<String, String> env) {
        String source = uri != null && !uri.isBlank() ? "the tracking URI" : ENV_URI;
        String value = uri != null && !uri.isBlank() ? uri : env.apply(ENV_URI);
        if (value == null || value.isBlank()) {
            throw new MlflowTrackingException("no MLflow server given: set " + ENV_URI
                    + " (e.g. http://127.0.0.1:5000) or pass --to URI");
        }
        return new MlflowSettings(parseUri(value, source), env.apply(ENV_USERNAME), env.apply(ENV_PASSWORD),
                env.apply(ENV_TOKEN), "true".equalsIgnoreCase(String.valueOf(env.apply(ENV_INSECURE_TLS))));
    }

    /**
     * Checks and normalises a tracking URI. Only {@code http} and {@code https} are accepted: that is what
     * the Java client speaks; genlab's own local store replaces MLflow's file store.
     *
     * @param value the URI as given
     * @param source where it came from, for the message (e.g. {@code MLFLOW_TRACKING_URI})
     * @return the URI without a trailing slash
     * @throws MlflowTrackingException with a message that says how to fix it
     */
    static String parseUri(String value, String source) {
        if (value == null || value.isBlank()) {
            throw new MlflowTrackingException(source + " is empty");
        }
        String v = value.strip();
        URI parsed;
        try {
            parsed = new URI(v);
        } catch (URISyntaxException e) {
            throw new MlflowTrackingException(source + " is not a valid URI (" + e.getReason()
                    + "); expected http(s)://host:port");
        }
        if (parsed.getRawUserInfo() != null) {
            // Never echo this URI: it carries a password.
            throw new MlflowTrackingException(source + " contains credentials; put them in " + ENV_USERNAME
                    + "/" + ENV_PASSWORD + " (or " + ENV_TOKEN + ") instead");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http":
            case "https":
                break;
            case "file":
            case "sqlite":
            case "postgresql":
            case "mysql":
            case "":
                throw new MlflowTrackingException(source + " '" + v + "' is not an MLflow server: genlab talks "
                        + "to MLflow over HTTP. Start one (e.g. `mlflow server --backend-store-uri "
                        + "sqlite:///mlflow.db`, or `genlab ui`) and use http://127.0.0.1:5000, or unset it to "
                        + "record runs in the local store only");
            case "databricks":
                throw new MlflowTrackingException(source + " '" + v + "': Databricks workspaces are not "
                        + "supported yet; use an http(s) MLflow server");
            default:
                throw new MlflowTrackingException(source + " '" + v + "' has an unsupported scheme '" + scheme
                        + "'; expected http(s)://host:port");
        }
        if (parsed.getHost() == null || parsed.getHost().isBlank()) {
            throw new MlflowTrackingException(source + " '" + v + "' has no valid host name; expected "
                    + scheme + "://host:port");
        }
        if (parsed.getQuery() != null || parsed.getFragment() != null) {
            throw new MlflowTrackingException(source + " '" + v + "' must not have a query or fragment");
        }
        String s = v;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** @return the value for an HTTP {@code Authorization} header, or empty when no credentials are set */
    public Optional<String> authorization() {
        if (username != null) {
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return token == null ? Optional.empty() : Optional.of("Bearer " + token);
    }

    /** @return the credentials in the Java client's form */
    BasicMlflowHostCreds hostCreds() {
        return new BasicMlflowHostCreds(uri, username, password, token, insecureTls);
    }

    /** @return how requests authenticate, without secrets: {@code basic (user alice)}, {@code token} or {@code none} */
    public String authDescription() {
        if (username != null) {
            return "basic (user " + username + ")";
        }
        return token != null ? "token" : "none";
    }

    /** Masks the password and token. */
    @Override
    public String toString() {
        return "MlflowSettings[uri=" + uri + ", auth=" + authDescription() + ", insecureTls=" + insecureTls + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlflowSettings s && uri.equals(s.uri) && Objects.equals(username, s.username)
                && Objects.equals(password, s.password) && Objects.equals(token, s.token)
                && insecureTls == s.insecureTls;
    }

    @Override
    public int hashCode() {
        return Objects.hash(uri, username, password, token, insecureTls);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
