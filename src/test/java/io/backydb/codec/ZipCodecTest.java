package io.backydb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ZipCodecTest {

  /**
   * A stored (uncompressed) entry whose sizes follow its data, in a data descriptor: to find its
   * end, commons-compress would read the whole entry into memory. BackyDB never writes one, so a
   * backup that holds one is forged or damaged and is refused at once.
   */
  @Test
  void aStoredEntryWithADataDescriptorIsRefused() throws Exception {
    byte[] data = "SELECT 1;\n-- backy:complete\n".getBytes(StandardCharsets.UTF_8);
    byte[] name = "data.sql".getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(data);
    ByteBuffer zip = ByteBuffer.allocate(30 + name.length + data.length + 16);
    zip.order(ByteOrder.LITTLE_ENDIAN);
    zip.putInt(0x04034b50); // local file header
    zip.putShort((short) 20); // version needed
    zip.putShort((short) 0x0008); // flags: sizes and CRC in a data descriptor
    zip.putShort((short) 0); // method: stored
    zip.putInt(0); // time and date
    zip.putInt(0).putInt(0).putInt(0); // CRC, sizes: unknown here
    zip.putShort((short) name.length).putShort((short) 0);
    zip.put(name).put(data);
    zip.putInt(0x08074b50).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
    var files = new ZipCodec().decode(new ByteArrayInputStream(zip.array()));
    assertThatThrownBy(files::next)
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("zip entry data.sql cannot be read")
        .satisfies(
            e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
    files.close();
  }
}
