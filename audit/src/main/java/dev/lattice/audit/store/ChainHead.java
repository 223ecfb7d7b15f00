package dev.lattice.audit.store;

import com.google.protobuf.ByteString;

/**
 * The last record of a tenant's chain.
 *
 * @param sequence its sequence; 0 for an empty chain
 * @param hash its hash; 32 zero bytes for an empty chain
 */
public record ChainHead(long sequence, ByteString hash) {}
