package dev.lattice.audit.store;

import dev.lattice.audit.v1.AuditRecord;
import java.util.Optional;

/**
 * A record as the log stores it: the hashed record and the JSON forms kept beside it for search.
 *
 * @param record the record with its hash
 * @param payloadJson the redacted payload as JSON; empty when its type is unknown
 * @param oldValues JSON object of values before the change, when the event carries them
 * @param newValues JSON object of values after the change, when the event carries them
 */
public record StoredRecord(
    AuditRecord record,
    Optional<String> payloadJson,
    Optional<String> oldValues,
    Optional<String> newValues) {}
