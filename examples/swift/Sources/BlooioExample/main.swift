// Sets a chat's background from an image file, reads it back, and prints both as JSON.
//
//   BLOOIO_API_KEY=... [BLOOIO_BASE_URL=...] swift run blooio-example-swift CHAT_ID IMAGE_PATH
import CBlooio
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    fputs("usage: blooio-example-swift CHAT_ID IMAGE_PATH  (reads BLOOIO_API_KEY and BLOOIO_BASE_URL)\n", stderr)
    exit(2)
}
let chatId = arguments[1]
let imagePath = arguments[2]

/// Exits with the call's status name and message unless it succeeded. Frees the error.
func check(_ status: blooio_status, _ error: inout OpaquePointer?, _ what: String) {
    guard status != BLOOIO_STATUS_OK else { return }
    let name = String(cString: blooio_status_name(Int32(truncatingIfNeeded: status.rawValue)))
    let message = blooio_error_message(error).map { String(cString: $0) } ?? "(no detail)"
    fputs("\(what) failed: \(name): \(message)\n", stderr)
    blooio_error_free(error)
    exit(1)
}

/// Prints a background as one line of JSON.
func printJSON(_ label: String, _ background: OpaquePointer?) {
    var json: UnsafeMutablePointer<CChar>?
    var error: OpaquePointer?
    check(blooio_background_to_json(background, &json, &error), &error, "to_json")
    print(label, String(cString: json!))
    blooio_string_free(json)
}

var error: OpaquePointer?
var client: OpaquePointer?
// NULL options: the key and base URL come from the environment.
check(blooio_client_new(nil, &client, &error), &error, "blooio_client_new")

var set: OpaquePointer?
check(blooio_set_chat_background_file(client, chatId, imagePath, &set, &error), &error, "set background")
printJSON("set:", set)

var current: OpaquePointer?
check(blooio_get_chat_background(client, chatId, &current, &error), &error, "get background")
printJSON("get:", current)

// A field whose absence is told apart from false.
var present = false
var hasBackground = false
check(blooio_background_has_background(current, &present, &hasBackground), &error, "has_background")
print("has_background:", present ? String(hasBackground) : "absent")

blooio_background_free(current)
blooio_background_free(set)
blooio_client_free(client)
