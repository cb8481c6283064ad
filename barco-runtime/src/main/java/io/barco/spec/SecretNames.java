package io.barco.spec;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which environment variables look like secrets, so that a container gets them only when asked for
 * by name: tokens, passwords, keys, credentials, cloud accounts. One rule for barco-java's forks and
 * barco-junit's. A variable that names certificate authorities to trust ({@code AWS_CA_BUNDLE},
 * {@code CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE}) is no secret: it passes, as a plain run gives it, so
 * that a test behind a re-signing proxy trusts what the build trusts.
 */
public final class SecretNames {
    /** Compared in upper case. */
    private static final Pattern SECRET_LOOKING =
            Pattern.compile("(.*_)?(TOKEN|PASSWORD|PASSWD|PASSPHRASE|KEY|APIKEY|CREDENTIALS?|AUTH|PAT)|.*SECRET.*"
                    + "|(AWS|AZURE|ARM|GOOGLE|GCLOUD|CLOUDSDK|GCP|ALIBABA_CLOUD|DIGITALOCEAN|HCLOUD|OCI)_.*"
                    + "|API_?KEY|.*_API_?KEY_.*");

    /** Certificate authorities, public by nature: a proxy's CA that a build trusts (AWS_CA_BUNDLE, ...). */
    private static final Pattern CERTIFICATE_AUTHORITIES =
            Pattern.compile(".*_CA_(BUNDLE|CERTS?|CERTS?_FILE|FILE|PATH)");

    private SecretNames() {}

    public static boolean secretLooking(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return SECRET_LOOKING.matcher(upper).matches()
                && !CERTIFICATE_AUTHORITIES.matcher(upper).matches();
    }

    /** Whether one of {@code passed} (shell globs, as {@link #glob} makes them) matches {@code name}. */
    public static boolean passed(String name, List<Pattern> passed) {
        return passed.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** A shell glob (*, ?, [...]) as a regular expression. */
    public static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char ch = glob.charAt(i);
            switch (ch) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        regex.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, end);
                        regex.append('[')
                                .append(set.startsWith("!") ? "^" + set.substring(1) : set)
                                .append(']');
                        i = end;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
