package dev.lattice.platform.runtime;

import dev.lattice.platform.config.Env;
import dev.lattice.platform.telemetry.Telemetry;
import java.time.Clock;
import org.jooq.DSLContext;

/**
 * The started infrastructure a service builds its stores and domain from.
 *
 * @param name the service's short name
 * @param env the service's configuration source
 * @param dsl jOOQ over the service's own, migrated database (thread-safe)
 * @param telemetry traces and metrics of this service
 * @param clock the time source domain rules use (tests may pin it)
 */
public record ServiceContext(String name, Env env, DSLContext dsl, Telemetry telemetry, Clock clock) {}
