// blooio.hpp: a header-only C++17 wrapper over the C API in blooio.h.
//
// RAII handles (move-only), exceptions that carry the status and the detail of a failed call,
// std::optional for fields the server may leave out. Nothing here holds business logic: every
// call goes straight to libblooio.
//
//   blooio::Client client{blooio::Options{}.api_key("bl_live_...")};   // or blooio::Client{}
//   blooio::Background set = client.set_chat_background_file("+15551234567", "beach.jpg");
//   std::cout << client.get_chat_background("+15551234567").to_json() << '\n';
//
//   blooio::CancelToken token;                        // token.cancel() from any thread stops the call
//   auto got = client.get_chat_background("+15551234567", blooio::CallOptions{}
//                                              .timeout(std::chrono::seconds(5))
//                                              .header("X-Trace", "abc")
//                                              .cancel_token(token));
//
// Thread safety is that of the C API: one Client may be used by many threads at once (its
// calls are const); Options must not be changed by two threads at once.
#ifndef BLOOIO_HPP
#define BLOOIO_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blooio.h"

namespace blooio {

// A failed call: what blooio_error said, copied, so the exception owns no C handle.
class Error : public std::runtime_error {
  public:
    // Takes the status and the error of a failed call, and frees the error.
    Error(blooio_status status, blooio_error *error)
        : std::runtime_error(message_of(status, error)), status_(status),
          http_status_(blooio_error_http_status(error)), attempts_(blooio_error_attempts(error)),
          server_message_(copy(blooio_error_server_message(error))),
          server_code_(copy(blooio_error_server_code(error))),
          request_id_(copy(blooio_error_request_id(error))) {
        std::uint64_t ms = 0;
        if (blooio_error_retry_after_ms(error, &ms))
            retry_after_ = std::chrono::milliseconds(ms);
        blooio_error_free(error);
    }

    // An error raised by the wrapper itself (an argument C cannot carry).
    Error(blooio_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}

    blooio_status status() const noexcept { return status_; }
    // The status's stable snake_case name, such as "rate_limited".
    const char *status_name() const noexcept { return blooio_status_name(static_cast<int>(status_)); }
    // The HTTP status of the last response; 0 when there was none.
    std::uint16_t http_status() const noexcept { return http_status_; }
    // HTTP attempts made: 0 when the call was refused before sending.
    std::uint32_t attempts() const noexcept { return attempts_; }
    const std::optional<std::string> &server_message() const noexcept { return server_message_; }
    const std::optional<std::string> &server_code() const noexcept { return server_code_; }
    const std::optional<std::string> &request_id() const noexcept { return request_id_; }
    // How long the server asked to wait, when it said so and the library did not wait itself.
    std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }

  private:
    static std::optional<std::string> copy(const char *s) {
        return s ? std::optional<std::string>(s) : std::nullopt;
    }
    static std::string message_of(blooio_status status, const blooio_error *error) {
        const char *message = blooio_error_message(error);
        return message ? message : blooio_status_name(static_cast<int>(status));
    }

    blooio_status status_;
    std::uint16_t http_status_ = 0;
    std::uint32_t attempts_ = 0;
    std::optional<std::string> server_message_, server_code_, request_id_;
    std::optional<std::chrono::milliseconds> retry_after_;
};

// The server's certificate was refused (unknown issuer, expired, wrong name, a CA as the leaf)
// or the TLS handshake failed for good: status() is BLOOIO_STATUS_TLS. Never retried.
class TlsError : public Error {
  public:
    using Error::Error;
};

// The call was stopped before it finished: its CancelToken was cancelled, or its progress
// callback returned false. status() is BLOOIO_STATUS_CANCELLED; the connection was dropped.
class CancelledError : public Error {
  public:
    using Error::Error;
};

namespace detail {

template <auto Free> struct Deleter {
    template <class T> void operator()(T *handle) const noexcept { Free(handle); }
};

// Throws the call's Error unless it succeeded. Call it in a statement of its own after the C
// call: as two arguments of one call, `error` could be read before the C call writes it.
inline void check(blooio_status status, blooio_error *error) {
    if (status == BLOOIO_STATUS_TLS)
        throw TlsError(status, error);
    if (status == BLOOIO_STATUS_CANCELLED)
        throw CancelledError(status, error);
    if (status != BLOOIO_STATUS_OK)
        throw Error(status, error);
}

// Calls a fallible C function with `args` and an error out-parameter; throws on failure.
template <class Function, class... Args> void checked(Function function, Args... args) {
    blooio_error *error = nullptr;
    const blooio_status status = function(args..., &error);
    check(status, error);
}

// A NUL-terminated copy; a string with a NUL inside cannot cross into C unchanged: refused.
inline std::string c_string(std::string_view s, const char *argument) {
    if (s.find('\0') != std::string_view::npos)
        throw Error(BLOOIO_STATUS_INVALID_ARGUMENT,
                    std::string("blooio: `") + argument + "` contains a NUL byte");
    return std::string(s);
}

inline std::uint64_t millis(std::chrono::milliseconds d) {
    return d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
}

// A header's name or value for C. A NUL cannot cross into C: refused with the status the
// library gives a header with CR or LF.
inline std::string header_string(std::string_view s, std::string_view name) {
    if (s.find('\0') != std::string_view::npos)
        throw Error(BLOOIO_STATUS_INVALID_CONFIG,
                    "blooio: header `" + std::string(name.substr(0, name.find('\0'))) + "` contains a NUL byte");
    return std::string(s);
}

// What Options::log installs: the function, kept alive by the options and every client made
// from them, and its trampoline (no exception may cross into C: a throwing logger loses the line).
using LogFunction = std::function<void(blooio_log_level, std::string_view)>;
inline void log_trampoline(void *user_data, blooio_log_level level, const char *line) noexcept {
    try {
        (*static_cast<const LogFunction *>(user_data))(level, line ? std::string_view(line) : std::string_view());
    } catch (...) {
    }
}

// A call's progress function and what it threw, caught in the trampoline (the exception must
// not cross into C): the upload stops, and the call rethrows it once the C call has returned.
struct Progress {
    const std::function<bool(std::uint64_t, std::uint64_t)> *fn;
    std::exception_ptr thrown;
};
inline bool progress_trampoline(void *user_data, std::uint64_t sent, std::uint64_t total) noexcept {
    auto *p = static_cast<Progress *>(user_data);
    if (p->thrown)
        return false;
    try {
        return (*p->fn)(sent, total);
    } catch (...) {
        p->thrown = std::current_exception();
        return false;
    }
}

} // namespace detail

// Settings for a Client; whatever is not set comes from BLOOIO_API_KEY, BLOOIO_BASE_URL and
// the defaults. Setters return *this for chaining and throw Error on a refused value.
class Options {
  public:
    Options() {
        blooio_options *options = nullptr;
        detail::checked(blooio_options_new, &options);
        handle_.reset(options);
    }

    Options &api_key(std::string_view key) {
        return set(blooio_options_set_api_key, detail::c_string(key, "api_key").c_str());
    }
    Options &base_url(std::string_view url) {
        return set(blooio_options_set_base_url, detail::c_string(url, "base_url").c_str());
    }
    Options &timeout(std::chrono::milliseconds timeout) {
        return set(blooio_options_set_timeout_ms, detail::millis(timeout));
    }
    Options &connect_timeout(std::chrono::milliseconds timeout) {
        return set(blooio_options_set_connect_timeout_ms, detail::millis(timeout));
    }
    Options &max_retries(std::uint32_t retries) { return set(blooio_options_set_max_retries, retries); }
    Options &user_agent_suffix(std::string_view suffix) {
        return set(blooio_options_set_user_agent_suffix, detail::c_string(suffix, "suffix").c_str());
    }
    Options &allow_insecure_http(bool allow) { return set(blooio_options_set_allow_insecure_http, allow); }
    // Trust exactly the CAs in this PEM bundle (wins over SSL_CERT_FILE / SSL_CERT_DIR).
    Options &ca_file(std::string_view path) {
        return set(blooio_options_set_ca_file, detail::c_string(path, "path").c_str());
    }
    // Verify with the operating system's verifier and trust store instead of the bundled roots.
    Options &platform_verifier(bool on) { return set(blooio_options_set_platform_verifier, on); }
    // Send every request through this HTTP proxy (CONNECT for HTTPS), even to loopback hosts.
    Options &proxy(std::string_view url) {
        return set(blooio_options_set_proxy, detail::c_string(url, "proxy_url").c_str());
    }

    // A header sent on every call (repeatable; wins over BLOOIO_CUSTOM_HEADERS by name, and a
    // call's own headers win over it). Refused (Error, BLOOIO_STATUS_INVALID_CONFIG): CR, LF
    // or NUL, a name that is not an HTTP token, and Authorization, Content-Type,
    // Content-Length, Host, Transfer-Encoding.
    Options &default_header(std::string_view name, std::string_view value) {
        detail::checked(blooio_options_add_default_header, handle_.get(), detail::header_string(name, name).c_str(),
                        detail::header_string(value, name).c_str());
        return *this;
    }
    // Log lines at or below `level` go to `log` (one per attempt at INFO; retry decisions at
    // DEBUG), from the thread making the call; the line is valid during the call of `log` only.
    // Lines never hold the key, bodies or header values other than the request id. Without
    // this, BLOOIO_LOG=info|debug prints them to stderr. An exception from `log` is dropped.
    Options &log(std::function<void(blooio_log_level, std::string_view)> log,
                 blooio_log_level level = BLOOIO_LOG_LEVEL_INFO) {
        auto fn = std::make_shared<detail::LogFunction>(std::move(log));
        detail::checked(blooio_options_set_log_callback, handle_.get(), static_cast<std::uint32_t>(level),
                        detail::log_trampoline, static_cast<void *>(fn.get()));
        log_ = std::move(fn);
        return *this;
    }

    const blooio_options *get() const noexcept { return handle_.get(); }
    // The log function the options hold (nullptr: none); a Client keeps it alive.
    const std::shared_ptr<detail::LogFunction> &log_function() const noexcept { return log_; }

  private:
    template <class Setter, class Value> Options &set(Setter setter, Value value) {
        detail::checked(setter, handle_.get(), value);
        return *this;
    }

    std::unique_ptr<blooio_options, detail::Deleter<blooio_options_free>> handle_;
    std::shared_ptr<detail::LogFunction> log_;
};

// A cancellation handle: cancel() from any thread stops every call that carries it (through
// CallOptions::cancel_token) within about 100 ms, wherever the call is; such a call throws
// CancelledError and its connection is dropped. A call started with a cancelled token throws
// at once and sends nothing. Copies share one token.
class CancelToken {
  public:
    CancelToken() {
        blooio_cancel_token *token = nullptr;
        detail::checked(blooio_cancel_token_new, &token);
        handle_.reset(token, blooio_cancel_token_free);
    }
    // Idempotent, and safe from any thread while calls run.
    void cancel() const noexcept { blooio_cancel_token_cancel(handle_.get()); }
    bool is_cancelled() const noexcept { return blooio_cancel_token_is_cancelled(handle_.get()); }
    const blooio_cancel_token *get() const noexcept { return handle_.get(); }

  private:
    std::shared_ptr<blooio_cancel_token> handle_;
};

// Options for one call: a timeout per attempt (overrides the client's), extra headers (win
// over the client's by name), an upload progress function and a CancelToken. A plain value:
// setters return *this; it is checked by the library when a call starts, which throws Error
// (BLOOIO_STATUS_INVALID_CONFIG) for a refused value before anything is sent.
class CallOptions {
  public:
    using ProgressFunction = std::function<bool(std::uint64_t sent, std::uint64_t total)>;

    CallOptions &timeout(std::chrono::milliseconds timeout) {
        timeout_ = timeout;
        return *this;
    }
    CallOptions &header(std::string name, std::string value) {
        headers_.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    // Called as the body is sent with the bytes sent so far and the body's total; return false
    // to stop the upload (the call throws CancelledError). An exception it throws stops the
    // upload too and is rethrown by the call once the library has returned.
    CallOptions &progress(ProgressFunction progress) {
        progress_ = std::move(progress);
        return *this;
    }
    CallOptions &cancel_token(CancelToken token) {
        token_ = std::move(token);
        return *this;
    }

  private:
    friend class Client;
    std::optional<std::chrono::milliseconds> timeout_;
    std::vector<std::pair<std::string, std::string>> headers_;
    ProgressFunction progress_;
    std::optional<CancelToken> token_;
};

// A chat's background as the API described it; every field may be absent.
class Background {
  public:
    explicit Background(blooio_background *owned) noexcept : handle_(owned) {}

    std::optional<std::string> chat_id() const { return text(blooio_background_chat_id); }
    std::optional<bool> has_background() const { return value<bool>(blooio_background_has_background); }
    std::optional<std::string> background_id() const { return text(blooio_background_background_id); }
    std::optional<std::string> background_url() const { return text(blooio_background_background_url); }
    std::optional<std::int64_t> background_version() const {
        return value<std::int64_t>(blooio_background_background_version);
    }
    // Whether the set changed the background; absent in answer to a get.
    std::optional<bool> changed() const { return value<bool>(blooio_background_changed); }
    // The response's x-request-id (quote it to Blooio support); not in to_json().
    std::optional<std::string> request_id() const { return text(blooio_background_request_id); }
    // How many HTTP attempts the call took (1 unless it was retried); not in to_json().
    std::uint32_t attempts() const { return value<std::uint32_t>(blooio_background_attempts).value_or(1); }

    // The fields that are present, as compact JSON.
    std::string to_json() const {
        char *json = nullptr;
        detail::checked(blooio_background_to_json, handle_.get(), &json);
        std::unique_ptr<char, detail::Deleter<blooio_string_free>> owned(json);
        return std::string(owned.get());
    }

    const blooio_background *get() const noexcept { return handle_.get(); }

  private:
    template <class T, class Getter> std::optional<T> value(Getter getter) const {
        bool present = false;
        T v{};
        detail::check(getter(handle_.get(), &present, &v), nullptr);
        return present ? std::optional<T>(v) : std::nullopt;
    }
    template <class Getter> std::optional<std::string> text(Getter getter) const {
        auto s = value<const char *>(getter);
        return s ? std::optional<std::string>(*s) : std::nullopt;
    }

    std::unique_ptr<blooio_background, detail::Deleter<blooio_background_free>> handle_;
};

// A client for the chat-background endpoints. Move-only; its calls are const and may run on
// many threads at once. Every call throws Error on failure.
class Client {
  public:
    // From BLOOIO_API_KEY, BLOOIO_BASE_URL and the defaults.
    Client() { make(nullptr); }
    explicit Client(const Options &options) : log_(options.log_function()) { make(options.get()); }

    // GET /chats/{chat_id}/background.
    Background get_chat_background(std::string_view chat_id) const {
        return call([&](blooio_background **out, blooio_error **error) {
            return blooio_get_chat_background(handle_.get(), detail::c_string(chat_id, "chat_id").c_str(), out,
                                              error);
        });
    }

    // PUT /chats/{chat_id}/background from an image file (UTF-8 path).
    Background set_chat_background_file(std::string_view chat_id, std::string_view path) const {
        return call([&](blooio_background **out, blooio_error **error) {
            return blooio_set_chat_background_file(handle_.get(), detail::c_string(chat_id, "chat_id").c_str(),
                                                   detail::c_string(path, "path").c_str(), out, error);
        });
    }

    // PUT /chats/{chat_id}/background from image bytes in memory.
    Background set_chat_background_bytes(std::string_view chat_id, const void *data, std::size_t len) const {
        // Passed through as given: the library answers nullptr with 0 bytes as an empty image.
        return call([&](blooio_background **out, blooio_error **error) {
            return blooio_set_chat_background_bytes(handle_.get(), detail::c_string(chat_id, "chat_id").c_str(),
                                                    static_cast<const std::uint8_t *>(data), len, out, error);
        });
    }
    Background set_chat_background_bytes(std::string_view chat_id, const std::vector<std::uint8_t> &bytes) const {
        return set_chat_background_bytes(chat_id, bytes.data(), bytes.size());
    }

    // The same calls with per-call options (timeout, headers, progress, cancel token).
    Background get_chat_background(std::string_view chat_id, const CallOptions &options) const {
        return call(options, [&](const blooio_call_options *o, blooio_background **out, blooio_error **error) {
            return blooio_get_chat_background_with_options(
                handle_.get(), detail::c_string(chat_id, "chat_id").c_str(), o, out, error);
        });
    }
    Background set_chat_background_file(std::string_view chat_id, std::string_view path,
                                        const CallOptions &options) const {
        return call(options, [&](const blooio_call_options *o, blooio_background **out, blooio_error **error) {
            return blooio_set_chat_background_file_with_options(handle_.get(),
                                                                detail::c_string(chat_id, "chat_id").c_str(),
                                                                detail::c_string(path, "path").c_str(), o, out, error);
        });
    }
    Background set_chat_background_bytes(std::string_view chat_id, const void *data, std::size_t len,
                                         const CallOptions &options) const {
        return call(options, [&](const blooio_call_options *o, blooio_background **out, blooio_error **error) {
            return blooio_set_chat_background_bytes_with_options(handle_.get(),
                                                                 detail::c_string(chat_id, "chat_id").c_str(),
                                                                 static_cast<const std::uint8_t *>(data), len, o, out,
                                                                 error);
        });
    }
    Background set_chat_background_bytes(std::string_view chat_id, const std::vector<std::uint8_t> &bytes,
                                         const CallOptions &options) const {
        return set_chat_background_bytes(chat_id, bytes.data(), bytes.size(), options);
    }

    const blooio_client *get() const noexcept { return handle_.get(); }

  private:
    void make(const blooio_options *options) {
        blooio_client *client = nullptr;
        detail::checked(blooio_client_new, options, &client);
        handle_.reset(client);
    }

    template <class Call> Background call(Call &&c) const {
        blooio_background *background = nullptr;
        detail::checked(c, &background);
        return Background(background);
    }

    // Builds the C call options for one call (the library copies them when the call starts),
    // runs it, and rethrows what the progress function threw, if it threw.
    template <class Call> Background call(const CallOptions &options, Call &&c) const {
        using COptions = std::unique_ptr<blooio_call_options, detail::Deleter<blooio_call_options_free>>;
        blooio_call_options *raw = nullptr;
        detail::checked(blooio_call_options_new, &raw);
        COptions o(raw);
        if (options.timeout_)
            detail::checked(blooio_call_options_set_timeout_ms, o.get(), detail::millis(*options.timeout_));
        for (const auto &[name, value] : options.headers_)
            detail::checked(blooio_call_options_add_header, o.get(), detail::header_string(name, name).c_str(),
                            detail::header_string(value, name).c_str());
        detail::Progress progress{&options.progress_, nullptr};
        if (options.progress_)
            detail::checked(blooio_call_options_set_progress, o.get(), detail::progress_trampoline,
                            static_cast<void *>(&progress));
        if (options.token_)
            detail::checked(blooio_call_options_set_cancel_token, o.get(), options.token_->get());
        blooio_background *background = nullptr;
        blooio_error *error = nullptr;
        const blooio_status status = c(o.get(), &background, &error);
        if (progress.thrown) {
            blooio_background_free(background);
            blooio_error_free(error);
            std::rethrow_exception(progress.thrown);
        }
        detail::check(status, error);
        return Background(background);
    }

    std::unique_ptr<blooio_client, detail::Deleter<blooio_client_free>> handle_;
    std::shared_ptr<detail::LogFunction> log_;
};

// The loaded library's version, such as "0.1.0".
inline std::string version() { return blooio_version(); }

} // namespace blooio

#endif // BLOOIO_HPP
