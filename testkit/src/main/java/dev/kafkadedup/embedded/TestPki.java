package dev.kafkadedup.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI made with the JDK's {@code keytool} in a test's temp dir, so that no key or
 * password is ever checked in: a CA, a broker certificate it signed for 127.0.0.1/localhost, a
 * client certificate it signed, and a second CA that nobody trusts with a client certificate of the
 * same name. Every store is PKCS12 under one random password.
 */
public final class TestPki {
  /** The CN (and so, by the broker's mapping rule, the ACL principal) of both client certs. */
  public static final String CLIENT_CN = "kafka-dedup-client";

  private final Path dir;
  private final String password;

  private TestPki(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /** Generates the CAs, certificates and stores into {@code dir} (about 20 keytool runs). */
  public static TestPki create(Path dir) throws IOException, InterruptedException {
    TestPki pki = new TestPki(dir, randomSecret());
    pki.createCa("ca");
    pki.createCa("untrusted-ca");
    pki.createSigned("broker", "ca", "kafka-broker", "SAN=dns:localhost,ip:127.0.0.1");
    pki.createSigned("client", "ca", CLIENT_CN, null);
    pki.createSigned("untrusted-client", "untrusted-ca", CLIENT_CN, null);
    pki.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        pki.pem("ca"),
        "-keystore",
        pki.truststore().toString());
    return pki;
  }

  /** 32 random hex characters, e.g. for a password a test must never find in any output. */
  public static String randomSecret() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The password of every store. */
  public String password() {
    return password;
  }

  /** Trusts the CA that signed the broker's and the trusted client's certificates. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  public Path brokerKeystore() {
    return store("broker");
  }

  /** A client certificate signed by the trusted CA. */
  public Path clientKeystore() {
    return store("client");
  }

  /** A client certificate with the same CN, signed by a CA the broker does not trust. */
  public Path untrustedClientKeystore() {
    return store("untrusted-client");
  }

  /** The broker's side of this PKI. */
  public EmbeddedKafkaBroker.Security brokerSecurity() {
    return new EmbeddedKafkaBroker.Security(brokerKeystore(), password, truststore(), password);
  }

  private Path store(String name) {
    return dir.resolve(name + ".p12");
  }

  private String pem(String name) {
    return dir.resolve(name + ".pem").toString();
  }

  private void createCa(String name) throws IOException, InterruptedException {
    genkeypair(name, "CN=" + name, "-ext", "bc:c");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store(name).toString(),
        "-file",
        pem(name));
  }

  private void createSigned(String name, String ca, String cn, String san)
      throws IOException, InterruptedException {
    String keystore = store(name).toString();
    String csr = dir.resolve(name + ".csr").toString();
    genkeypair(name, "CN=" + cn);
    keytool("-certreq", "-alias", name, "-keystore", keystore, "-file", csr);
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-validity",
                "2",
                "-alias",
                ca,
                "-keystore",
                store(ca).toString(),
                "-infile",
                csr,
                "-outfile",
                pem(name)));
    if (san != null) {
      gencert.addAll(List.of("-ext", san));
    }
    keytool(gencert.toArray(String[]::new));
    // the chain: the CA first, so that the signed certificate replaces the self-signed one
    keytool("-importcert", "-noprompt", "-alias", ca, "-file", pem(ca), "-keystore", keystore);
    keytool("-importcert", "-alias", name, "-file", pem(name), "-keystore", keystore);
  }

  private void genkeypair(String alias, String dname, String... extra)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-dname",
                dname,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-keystore",
                store(alias).toString()));
    args.addAll(List.of(extra));
    keytool(args.toArray(String[]::new));
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", password));
    Path output = dir.resolve("keytool.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "keytool " + args[0] + " failed: " + Files.readString(output, StandardCharsets.UTF_8));
    }
  }
}
