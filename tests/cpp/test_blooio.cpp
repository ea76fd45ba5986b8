// GoogleTest suite for include/blooio.hpp against the emulator (tests/c/run-with-emulator.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "blooio.hpp"

extern "C" {
#include "../c/testlib.h"
}

namespace {

std::vector<std::uint8_t> png(std::uint8_t tail = 0) {
    std::vector<std::uint8_t> bytes(TL_PNG, TL_PNG + TL_PNG_LEN);
    bytes.push_back(tail);
    return bytes;
}

blooio::Options emulator_options() {
    blooio::Options options;
    options.api_key(tl_api_key()).base_url(tl_base_url()).max_retries(0);
    return options;
}

class Cpp : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(tl_emu("POST", "/__emulator/reset", "", nullptr), 200); }
};

// Runs `f`, which must throw blooio::Error, and returns it.
template <class F> blooio::Error thrown(F &&f) {
    try {
        f();
    } catch (const blooio::Error &e) {
        return e;
    }
    ADD_FAILURE() << "no blooio::Error was thrown";
    return blooio::Error(BLOOIO_STATUS_OK, std::string("nothing thrown"));
}

TEST_F(Cpp, SetBytesThenGet) {
    blooio::Client client{emulator_options()};
    blooio::Background set = client.set_chat_background_bytes("+15553334444", png());
    EXPECT_EQ(set.changed(), std::optional<bool>(true));
    EXPECT_EQ(set.has_background(), std::optional<bool>(true));
    EXPECT_EQ(set.chat_id(), std::optional<std::string>("+15553334444"));
    EXPECT_EQ(set.background_version(), std::optional<std::int64_t>(1));
    ASSERT_TRUE(set.background_id().has_value());

    blooio::Background got = client.get_chat_background("+15553334444");
    EXPECT_FALSE(got.changed().has_value());
    EXPECT_EQ(got.background_id(), set.background_id());
    EXPECT_NE(got.to_json().find("\"has_background\":true"), std::string::npos);
}

TEST_F(Cpp, SetFile) {
    auto bytes = png(7);
    char *path = tl_temp_file(bytes.data(), bytes.size());
    ASSERT_NE(path, nullptr);
    std::string p(path);
    std::free(path);
    blooio::Client client{emulator_options()};
    blooio::Background set = client.set_chat_background_file("bob@example.com", p);
    std::remove(p.c_str());
    EXPECT_EQ(set.changed(), std::optional<bool>(true));
    EXPECT_EQ(set.chat_id(), std::optional<std::string>("bob@example.com"));
}

TEST_F(Cpp, AbsentFieldsAreNullopt) {
    blooio::Client client{emulator_options()};
    blooio::Background got = client.get_chat_background("grp_nothing");
    EXPECT_EQ(got.has_background(), std::optional<bool>(false));
    EXPECT_FALSE(got.background_id().has_value());
    EXPECT_FALSE(got.background_url().has_value());
    EXPECT_FALSE(got.background_version().has_value());
}

TEST_F(Cpp, ErrorCarriesStatusAndDetail) {
    tl_emu_script("{\"status\":429,\"headers\":{\"Retry-After\":\"4\",\"x-request-id\":\"req_cpp\"},"
                  "\"body\":\"{\\\"message\\\":\\\"slow down\\\",\\\"code\\\":\\\"E_RATE\\\"}\"}");
    blooio::Client client{emulator_options()};
    blooio::Error e = thrown([&] { client.get_chat_background("+15553334444"); });
    EXPECT_EQ(e.status(), BLOOIO_STATUS_RATE_LIMITED);
    EXPECT_STREQ(e.status_name(), "rate_limited");
    EXPECT_EQ(e.http_status(), 429);
    EXPECT_EQ(e.attempts(), 1u);
    EXPECT_EQ(e.server_message(), std::optional<std::string>("slow down"));
    EXPECT_EQ(e.server_code(), std::optional<std::string>("E_RATE"));
    EXPECT_EQ(e.request_id(), std::optional<std::string>("req_cpp"));
    EXPECT_EQ(e.retry_after(), std::optional<std::chrono::milliseconds>(4000));
    EXPECT_NE(std::string(e.what()).find("HTTP 429"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(tl_api_key()), std::string::npos);
}

TEST_F(Cpp, StatusesMapFromTheServer) {
    tl_emu_script("[{\"status\":401},{\"status\":502},{\"status\":503},{\"status\":500},{\"status\":404}]");
    blooio::Client client{emulator_options()};
    for (blooio_status want : {BLOOIO_STATUS_AUTHENTICATION, BLOOIO_STATUS_DEVICE_UNAVAILABLE,
                               BLOOIO_STATUS_NO_ACTIVE_NUMBER, BLOOIO_STATUS_SERVER_ERROR, BLOOIO_STATUS_HTTP_STATUS}) {
        blooio::Error e = thrown([&] { client.get_chat_background("+15553334444"); });
        EXPECT_EQ(e.status(), want) << e.what();
    }
}

TEST_F(Cpp, BadInputThrowsBeforeSending) {
    blooio::Client client{emulator_options()};
    EXPECT_EQ(thrown([&] { client.get_chat_background(""); }).status(), BLOOIO_STATUS_INVALID_CHAT_ID);
    EXPECT_EQ(thrown([&] { client.get_chat_background(std::string("+1555\0x", 7)); }).status(),
              BLOOIO_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(thrown([&] { client.set_chat_background_bytes("+15553334444", std::vector<std::uint8_t>{}); })
                  .status(),
              BLOOIO_STATUS_INVALID_IMAGE);
    // As in C: nullptr with no bytes is an empty image; nullptr with a length is a bad argument.
    EXPECT_EQ(thrown([&] { client.set_chat_background_bytes("+15553334444", nullptr, 0); }).status(),
              BLOOIO_STATUS_INVALID_IMAGE);
    EXPECT_EQ(thrown([&] { client.set_chat_background_bytes("+15553334444", nullptr, 10); }).status(),
              BLOOIO_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(thrown([&] { client.set_chat_background_file("+15553334444", "/nonexistent.png"); }).status(),
              BLOOIO_STATUS_IO);
    EXPECT_EQ(tl_emu_request_count(), 0u);
}

TEST_F(Cpp, OptionsAreChecked) {
    // The bounds of a timeout are the core's, checked when the client is built.
    blooio::Options zero;
    zero.api_key("bl_key").timeout(std::chrono::milliseconds(0));
    EXPECT_EQ(thrown([&] { blooio::Client{zero}; }).status(), BLOOIO_STATUS_INVALID_CONFIG);
    EXPECT_EQ(thrown([] { blooio::Options().api_key(std::string("a\0b", 3)); }).status(),
              BLOOIO_STATUS_INVALID_ARGUMENT);
    blooio::Options insecure;
    insecure.api_key("bl_key").base_url("http://10.1.2.3/v2/api");
    EXPECT_EQ(thrown([&] { blooio::Client{insecure}; }).status(), BLOOIO_STATUS_INVALID_CONFIG);
    insecure.allow_insecure_http(true).user_agent_suffix("cpp-test/1").connect_timeout(std::chrono::seconds(1));
    EXPECT_NO_THROW(blooio::Client{insecure});
}

TEST_F(Cpp, HandlesAreMoveOnly) {
    static_assert(!std::is_copy_constructible_v<blooio::Client>);
    static_assert(std::is_nothrow_move_constructible_v<blooio::Client>);
    static_assert(!std::is_copy_constructible_v<blooio::Background>);
    blooio::Client a{emulator_options()};
    blooio::Client b{std::move(a)};
    EXPECT_NO_THROW(b.get_chat_background("+15553334444"));
    // The moved-from client holds no handle: the C API refuses it rather than crash.
    EXPECT_EQ(thrown([&] { a.get_chat_background("+15553334444"); }).status(),  // NOLINT(bugprone-use-after-move)
              BLOOIO_STATUS_INVALID_ARGUMENT);
}

TEST_F(Cpp, OneClientManyThreads) {
    const blooio::Client client{emulator_options()};
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&, t] {
            std::string chat = "+155544400" + std::to_string(t);
            for (int i = 0; i < 10; i++) {
                auto set = client.set_chat_background_bytes(chat, png(static_cast<std::uint8_t>(i)));
                if (set.background_version() == std::optional<std::int64_t>(i + 1) &&
                    client.get_chat_background(chat).chat_id() == std::optional<std::string>(chat))
                    ok++;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(ok.load(), 40);
}

TEST(Version, MatchesTheHeader) {
    EXPECT_EQ(blooio::version(), std::to_string(BLOOIO_VERSION_MAJOR) + "." + std::to_string(BLOOIO_VERSION_MINOR) +
                                     "." + std::to_string(BLOOIO_VERSION_PATCH));
}

} // namespace
