package io.lambda.store;

import java.nio.ByteBuffer;

final class Bytes {

    private Bytes() {
    }

    static byte[] of(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
