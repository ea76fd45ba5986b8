// Sets a chat's background from an image file, reads it back, and prints both as JSON.
//
//   BLOOIO_API_KEY=... [BLOOIO_BASE_URL=...] blooio-example-cpp CHAT_ID IMAGE_PATH
//
// Build: c++ -std=c++17 main.cpp $(pkg-config --cflags --libs blooio)
#include <blooio.hpp>

#include <iostream>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " CHAT_ID IMAGE_PATH  (reads BLOOIO_API_KEY and BLOOIO_BASE_URL)\n";
        return 2;
    }
    try {
        const blooio::Client client; // the key and base URL come from the environment
        blooio::Background set = client.set_chat_background_file(argv[1], argv[2]);
        std::cout << "set: " << set.to_json() << '\n';
        blooio::Background current = client.get_chat_background(argv[1]);
        std::cout << "get: " << current.to_json() << '\n';
        return 0;
    } catch (const blooio::Error &e) {
        std::cerr << "failed: " << e.status_name() << ": " << e.what() << '\n';
        if (e.request_id())
            std::cerr << "request id: " << *e.request_id() << '\n';
        return 1;
    }
}
