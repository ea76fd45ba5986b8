// Built against an installed prefix (find_package(blooio)); sets and gets a background on the
// emulator named by BLOOIO_TEST_BASE_URL / BLOOIO_TEST_API_KEY.
#include <blooio.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#ifndef BLOOIO_CONSUMER_KIND
#define BLOOIO_CONSUMER_KIND "shared"
#endif

int main() {
    const char *url = std::getenv("BLOOIO_TEST_BASE_URL"), *key = std::getenv("BLOOIO_TEST_API_KEY");
    if (!url || !key) {
        std::fprintf(stderr, "BLOOIO_TEST_BASE_URL and BLOOIO_TEST_API_KEY must be set\n");
        return 2;
    }
    try {
        blooio::Client client{blooio::Options{}.api_key(key).base_url(url)};
        std::vector<std::uint8_t> image{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 'c', 'm', 'a', 'k', 'e'};
        auto set = client.set_chat_background_bytes("+15559990000", image);
        auto got = client.get_chat_background("+15559990000");
        if (got.has_background() != std::optional<bool>(true) || got.background_id() != set.background_id()) {
            std::fprintf(stderr, "unexpected background: %s\n", got.to_json().c_str());
            return 1;
        }
        std::printf("cmake consumer, %s libblooio %s: %s\n", BLOOIO_CONSUMER_KIND, blooio::version().c_str(),
                    got.to_json().c_str());
        return 0;
    } catch (const blooio::Error &e) {
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        return 1;
    }
}
