// Issues 12 and 13 through include/blooio.hpp, against the emulator: headers on the wire and
// refused with nothing sent, a per-call timeout, request id and attempts, the log function,
// upload progress (totals, false, a throwing function rethrown to the caller), and a
// CancelToken cancelled from another thread (latency measured, the connection not reused).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "blooio.hpp"

extern "C" {
#include "../c/testlib.h"
}

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const char *const kChat = "+15553334444";

std::vector<std::uint8_t> big_png(std::size_t extra) {
    std::vector<std::uint8_t> bytes(TL_PNG, TL_PNG + TL_PNG_LEN);
    bytes.resize(bytes.size() + extra, 0);
    return bytes;
}

blooio::Options emulator_options(std::uint32_t retries = 0) {
    blooio::Options options;
    options.api_key(tl_api_key()).base_url(tl_base_url()).max_retries(retries);
    return options;
}

std::string requests() {
    char *body = tl_emu_requests();
    std::string out = body ? body : "";
    std::free(body);
    return out;
}

// Every number that follows `"field":` in the requests' JSON, in order.
std::vector<long long> numbers(const std::string &json, const std::string &field) {
    std::vector<long long> out;
    const std::string key = "\"" + field + "\":";
    for (std::size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1))
        out.push_back(std::strtoll(json.c_str() + at + key.size(), nullptr, 10));
    return out;
}

long long last_connection() {
    auto ids = numbers(requests(), "connection_id");
    return ids.empty() ? -1 : ids.back();
}

// Waits (up to 2 s) until the emulator has marked `n` requests as cut short by the client.
bool cut_short(std::size_t n) {
    for (int i = 0; i < 100; i++) {
        if (tl_count(requests().c_str(), "\"client_aborted\":true") >= n)
            return true;
        std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
}

template <class E = blooio::Error, class F> E thrown_as(F &&f) {
    try {
        f();
    } catch (const E &e) {
        return e;
    }
    ADD_FAILURE() << "nothing of the expected type was thrown";
    return E(BLOOIO_STATUS_OK, std::string("nothing thrown"));
}

class CallOptions : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(tl_emu("POST", "/__emulator/reset", "", nullptr), 200); }
};

TEST_F(CallOptions, HeadersOnTheWire) {
    blooio::Client client{emulator_options().default_header("X-Team", "platform").default_header("X-Both", "client")};
    client.get_chat_background(kChat, blooio::CallOptions{}.header("x-both", "call").header("X-Trace", "t1"));
    client.get_chat_background(kChat);
    const std::string json = requests();
    EXPECT_EQ(tl_count(json.c_str(), "[\"x-team\",\"platform\"]"), 2u) << json;
    EXPECT_EQ(tl_count(json.c_str(), "[\"x-trace\",\"t1\"]"), 1u);
    EXPECT_EQ(tl_count(json.c_str(), "[\"x-both\",\"call\"]"), 1u);
    EXPECT_EQ(tl_count(json.c_str(), "[\"x-both\",\"client\"]"), 1u); // the call's header won by name
}

TEST_F(CallOptions, RefusedHeadersSendNothing) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"Authorization", "Bearer other"}, {"content-length", "1"}, {"Host", "example.com"},
        {"X-Evil\r\nX-Injected", "1"},     {"X-Ok", "a\nb"},        {"X Space", "1"},
        {std::string("X-Nul\0", 6), "1"},  {"X-Ok", std::string("a\0b", 3)}};
    blooio::Client client{emulator_options()};
    for (const auto &[name, value] : bad) {
        blooio::Error at_build = thrown_as([&] { blooio::Client c{emulator_options().default_header(name, value)}; });
        EXPECT_EQ(at_build.status(), BLOOIO_STATUS_INVALID_CONFIG) << name << ": " << at_build.what();
        blooio::Error at_call =
            thrown_as([&] { client.get_chat_background(kChat, blooio::CallOptions{}.header(name, value)); });
        EXPECT_EQ(at_call.status(), BLOOIO_STATUS_INVALID_CONFIG) << name << ": " << at_call.what();
    }
    EXPECT_EQ(tl_emu_request_count(), 0u);
}

TEST_F(CallOptions, PerCallTimeoutAgainstASlowAnswer) {
    blooio::Client client{emulator_options().timeout(std::chrono::seconds(30))};
    tl_emu_script("{\"delay_ms\":3000}");
    const auto start = Clock::now();
    blooio::Error e =
        thrown_as([&] { client.get_chat_background(kChat, blooio::CallOptions{}.timeout(milliseconds(200))); });
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    EXPECT_EQ(e.status(), BLOOIO_STATUS_TIMEOUT) << e.what();
    EXPECT_GE(took.count(), 150);
    EXPECT_LT(took.count(), 1500);
    std::printf("[ measured ] per-call timeout 200 ms against a 3 s answer: %lld ms\n",
                static_cast<long long>(took.count()));
    tl_emu_reset();
    EXPECT_EQ(thrown_as([&] { client.get_chat_background(kChat, blooio::CallOptions{}.timeout(milliseconds(0))); })
                  .status(),
              BLOOIO_STATUS_INVALID_CONFIG);
    EXPECT_EQ(tl_emu_request_count(), 0u);
}

TEST_F(CallOptions, RequestIdAndAttempts) {
    blooio::Client client{emulator_options(2)};
    blooio::Background first = client.get_chat_background(kChat);
    EXPECT_EQ(first.attempts(), 1u);
    tl_emu_script("{\"status\":502}");
    blooio::Background set = client.set_chat_background_bytes(kChat, big_png(1), blooio::CallOptions{});
    EXPECT_EQ(set.attempts(), 2u);
    ASSERT_TRUE(set.request_id().has_value());
    ASSERT_TRUE(first.request_id().has_value());
    EXPECT_EQ(set.request_id()->rfind("req_", 0), 0u);
    EXPECT_NE(*set.request_id(), *first.request_id());
    const std::string json = requests();
    EXPECT_NE(json.find("\"request_id\":\"" + *set.request_id() + "\""), std::string::npos);
    EXPECT_EQ(set.to_json().find("request_id"), std::string::npos);
}

TEST_F(CallOptions, LogFunctionGetsLinesWithoutTheKey) {
    std::mutex mu;
    std::vector<std::pair<blooio_log_level, std::string>> lines;
    blooio::Client client{emulator_options(2).log(
        [&](blooio_log_level level, std::string_view line) {
            std::lock_guard<std::mutex> lock(mu);
            lines.emplace_back(level, std::string(line));
        },
        BLOOIO_LOG_LEVEL_DEBUG)};
    tl_emu_script("{\"status\":502}");
    blooio::Background got = client.get_chat_background(kChat);
    std::string all;
    int info = 0, debug = 0;
    for (const auto &[level, line] : lines) {
        all += line + "\n";
        (level == BLOOIO_LOG_LEVEL_INFO ? info : debug)++;
    }
    EXPECT_EQ(info, 2) << all;
    EXPECT_GE(debug, 1) << all;
    EXPECT_NE(all.find("GET /v2/api/chats/%2B15553334444/background -> 502"), std::string::npos) << all;
    EXPECT_NE(all.find("-> 200"), std::string::npos) << all;
    EXPECT_NE(all.find("request id " + got.request_id().value_or("?")), std::string::npos) << all;
    EXPECT_NE(all.find("retrying in"), std::string::npos) << all;
    EXPECT_EQ(all.find(tl_api_key()), std::string::npos);
    // A throwing log function loses its line, nothing more.
    blooio::Client throwing{emulator_options().log([](blooio_log_level, std::string_view) {
        throw std::runtime_error("logger down");
    })};
    EXPECT_NO_THROW(throwing.get_chat_background(kChat));
}

TEST_F(CallOptions, ProgressTotalsEqualTheBodyLength) {
    blooio::Client client{emulator_options()};
    std::uint64_t last = 0, total = 0;
    int calls = 0;
    bool monotonic = true;
    client.set_chat_background_bytes(kChat, big_png(3 << 20), blooio::CallOptions{}.progress([&](auto sent, auto t) {
        monotonic = monotonic && sent >= last;
        last = sent;
        total = t;
        calls++;
        return true;
    }));
    auto body = numbers(requests(), "body_len");
    ASSERT_EQ(body.size(), 1u);
    EXPECT_GE(calls, 2);
    EXPECT_TRUE(monotonic);
    EXPECT_EQ(last, total);
    EXPECT_EQ(total, static_cast<std::uint64_t>(body[0]));
}

TEST_F(CallOptions, ProgressReturningFalseStopsTheUpload) {
    blooio::Client client{emulator_options()};
    client.get_chat_background(kChat); // a pooled connection
    const long long pooled = last_connection();
    auto e = thrown_as<blooio::CancelledError>([&] {
        client.set_chat_background_bytes(kChat, big_png(4 << 20), blooio::CallOptions{}.progress([](auto sent, auto total) {
            return sent < total / 4;
        }));
    });
    EXPECT_EQ(e.status(), BLOOIO_STATUS_CANCELLED);
    EXPECT_STREQ(e.status_name(), "cancelled");
    EXPECT_TRUE(cut_short(1)) << requests();
    client.get_chat_background(kChat);
    EXPECT_NE(last_connection(), pooled);
}

TEST_F(CallOptions, ThrowingProgressIsRethrownAfterTheCall) {
    blooio::Client client{emulator_options()};
    int calls = 0;
    try {
        client.set_chat_background_bytes(kChat, big_png(4 << 20), blooio::CallOptions{}.progress([&](auto, auto) -> bool {
            calls++;
            throw std::logic_error("boom from progress");
        }));
        ADD_FAILURE() << "nothing thrown";
    } catch (const blooio::Error &e) {
        ADD_FAILURE() << "a blooio::Error instead of the callback's own exception: " << e.what();
    } catch (const std::logic_error &e) {
        EXPECT_STREQ(e.what(), "boom from progress");
    }
    EXPECT_EQ(calls, 1);
    EXPECT_NO_THROW(client.get_chat_background(kChat));
}

TEST_F(CallOptions, CancelTokenFromAnotherThread) {
    blooio::Client client{emulator_options()};
    std::vector<long long> latencies;
    for (int round = 0; round < 5; round++) {
        client.get_chat_background(kChat); // a pooled connection
        const long long pooled = last_connection();
        tl_emu_script("{\"delay_ms\":5000}");
        blooio::CancelToken token;
        Clock::time_point cancelled_at;
        std::thread canceller([&] {
            std::this_thread::sleep_for(milliseconds(200));
            cancelled_at = Clock::now();
            token.cancel();
        });
        auto e = thrown_as<blooio::CancelledError>(
            [&] { client.get_chat_background(kChat, blooio::CallOptions{}.cancel_token(token)); });
        const auto returned = Clock::now();
        canceller.join();
        EXPECT_EQ(e.status(), BLOOIO_STATUS_CANCELLED);
        EXPECT_TRUE(token.is_cancelled());
        latencies.push_back(std::chrono::duration_cast<std::chrono::microseconds>(returned - cancelled_at).count());
        EXPECT_EQ(last_connection(), pooled) << "the slow call should have used the pooled connection";
        EXPECT_TRUE(cut_short(static_cast<std::size_t>(round) + 1)) << "the emulator did not see the call cut short";
        client.get_chat_background(kChat);
        EXPECT_NE(last_connection(), pooled) << "the cancelled call's connection was reused";
    }
    std::string text;
    for (long long us : latencies)
        text += std::to_string(us / 1000.0).substr(0, 5) + " ms ";
    std::printf("[ measured ] cancel -> return: %s\n", text.c_str());
    EXPECT_LT(*std::max_element(latencies.begin(), latencies.end()), 250'000);
}

TEST_F(CallOptions, CancelledTokenSendsNothingAndCopiesShareIt) {
    blooio::Client client{emulator_options()};
    blooio::CancelToken token;
    blooio::CancelToken copy = token;
    EXPECT_FALSE(copy.is_cancelled());
    token.cancel();
    token.cancel(); // idempotent
    EXPECT_TRUE(copy.is_cancelled());
    EXPECT_EQ(thrown_as<blooio::CancelledError>(
                  [&] { client.set_chat_background_bytes(kChat, big_png(1), blooio::CallOptions{}.cancel_token(copy)); })
                  .status(),
              BLOOIO_STATUS_CANCELLED);
    EXPECT_EQ(tl_emu_request_count(), 0u);
}

} // namespace
