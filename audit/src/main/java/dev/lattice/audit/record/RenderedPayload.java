package dev.lattice.audit.record;

import com.google.protobuf.Any;
import java.util.Optional;

/**
 * An event payload as the audit log keeps it.
 *
 * @param payload the payload with every sensitive field cleared (only the type URL when the type is
 *     unknown); these are the bytes the chain hashes
 * @param json the redacted payload as JSON (proto field names); empty when the type is unknown
 * @param oldValues JSON object of values before the change, when the event carries them
 * @param newValues JSON object of values after the change, when the event carries them
 */
public record RenderedPayload(
    Any payload, Optional<String> json, Optional<String> oldValues, Optional<String> newValues) {}
