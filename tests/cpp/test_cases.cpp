// The shared case table (tests/cases/cases.json) through include/blooio.hpp: every row, no
// per-row code. The table, its fixtures and the checks come from tests/c/caselib.c.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blooio.hpp"

extern "C" {
#include "../c/caselib.h"
#include "../c/testlib.h"
}

namespace {

// Makes the row's call through the C++ API and returns its outcome. `json` holds the
// background's JSON for a success (the outcome points into it).
cl_outcome run_row(const cl_table &table, const cl_row &row, std::string &json) {
    const std::string chat_id(row.chat_id, row.chat_id_len);
    cl_outcome outcome{};
    try {
        blooio::Options options;
        options.api_key(row.api_key ? row.api_key : tl_api_key())
            .base_url(row.base_url ? row.base_url : tl_base_url())
            .max_retries(row.max_retries);
        if (row.timeout_ms != 0)
            options.timeout(std::chrono::milliseconds(row.timeout_ms));
        blooio::Client client{options};
        // C++ has no close(): a moved-from client is the one that holds no library client.
        std::optional<blooio::Client> taken;
        if (row.closed)
            taken.emplace(std::move(client));
        const std::string call = row.call;
        std::optional<blooio::Background> background;
        if (call == "get") {
            background.emplace(client.get_chat_background(chat_id));
        } else if (call == "set_file") {
            // Removed however the call ends.
            std::unique_ptr<char, void (*)(char *)> path(cl_image_path(&table, row.image), cl_image_done);
            background.emplace(client.set_chat_background_file(chat_id, path.get()));
        } else if (call == "set_bytes") {
            if (row.null_data) {
                background.emplace(client.set_chat_background_bytes(chat_id, nullptr, 0));
            } else {
                std::size_t len = 0;
                unsigned char *data = cl_image_bytes(&table, row.image, &len);
                std::vector<std::uint8_t> bytes(data, data + len);
                std::free(data);
                background.emplace(client.set_chat_background_bytes(chat_id, bytes));
            }
        } else {
            ADD_FAILURE() << row.name << ": unknown call " << call;
        }
        outcome.status = "OK";
        if (background) {
            json = background->to_json();
            outcome.background_json = json.c_str();
        }
    } catch (const blooio::Error &e) {
        outcome.status = cl_status_name(e.status());
        outcome.http_status = e.http_status();
        outcome.attempts = e.attempts();
        if (e.retry_after()) {
            outcome.has_retry_after = true;
            outcome.retry_after_ms = static_cast<std::uint64_t>(e.retry_after()->count());
        }
    }
    return outcome;
}

TEST(CaseTable, EveryRow) {
    cl_table table;
    cl_load(&table);
    const std::size_t rows = cl_row_count(&table);
    std::size_t failed = 0;
    for (std::size_t i = 0; i < rows; i++) {
        const cl_row row = cl_row_at(&table, i);
        cl_prepare(&table, i);
        std::string json;
        const cl_outcome outcome = run_row(table, row, json);
        if (!cl_check(&table, i, &outcome)) {
            failed++;
            ADD_FAILURE() << "case " << row.name << " failed (details above)";
        }
    }
    std::printf("c++: ran %zu cases from %s, %zu failed\n", rows, table.path, failed);
    EXPECT_GT(rows, 0u);
    cl_free(&table);
}

} // namespace
