#include "server/tls_certificate.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace checkers::server {

namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyName = "tls-key.pem";
constexpr const char* kCertName = "tls-cert.pem";
constexpr long kValidSeconds = 20L * 365 * 24 * 3600;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "unknown error";
  if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw reactor::TlsError(what + ": " + buf);
}

// Writes via a 0600 temporary file and rename(2): a crash never leaves half a key.
template <class Write>
void write_private_file(const fs::path& path, Write write) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot create " + tmp.string());
  FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    ::close(fd);
    throw std::system_error(errno, std::generic_category(), "cannot open " + tmp.string());
  }
  const bool ok = write(f) == 1;
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (!ok || !flushed) {
    fs::remove(tmp);
    fail("cannot write " + path.string());
  }
  fs::rename(tmp, path);
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

void create_self_signed(const fs::path& key_file, const fs::path& cert_file,
                        const std::string& common_name) {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an ECDSA P-256 key");
  std::unique_ptr<X509, CertFree> cert(X509_new());
  if (!cert) fail("cannot create a certificate");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no random serial number");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);  // clocks on a LAN differ
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("checkers-server"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = "DNS:" + common_name;
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
        std::pair{NID_subject_alt_name, san}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) fail("cannot add a certificate extension");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate");
  write_private_file(key_file, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  write_private_file(cert_file, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
}

ServerTlsIdentity load_or_create_identity(const ServerConfig& config) {
  ServerTlsIdentity id;
  if (!config.tls_cert.empty()) {
    id.cert_file = config.tls_cert;
    id.key_file = config.tls_key;
  } else {
    const fs::path dir = config.data_dir;
    id.cert_file = (dir / kCertName).string();
    id.key_file = (dir / kKeyName).string();
    id.self_signed = true;
    if (!fs::exists(id.cert_file) || !fs::exists(id.key_file)) {
      fs::create_directories(dir);
      create_self_signed(id.key_file, id.cert_file, host_name());
      id.created = true;
    }
  }
  id.fingerprint = reactor::certificate_file_fingerprint(id.cert_file);
  return id;
}

}  // namespace checkers::server
