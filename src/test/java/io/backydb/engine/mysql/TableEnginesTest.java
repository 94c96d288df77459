package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine a definition's table options name, in the forms a server's or a user's dump may write
 * it ({@link DumpDirectivesScannerTest} reads it from real dumps).
 */
class TableEnginesTest {

  @ParameterizedTest(name = "{index} {arguments}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      nullValues = "none",
      textBlock =
          """
          CREATE TABLE `t` (`a` int) ENGINE=CONNECT DEFAULT CHARSET=utf8mb4 | CONNECT
          CREATE TABLE `t` (`a` int) ENGINE = ROCKSDB | ROCKSDB
          CREATE TABLE `t` (`a` int) engine ARCHIVE | ARCHIVE
          CREATE TABLE `t` (`a` int) ENGINE=`Aria` | Aria
          CREATE TABLE `t` (`a` int) ENGINE='MyISAM' DEFAULT CHARSET=latin1 | MyISAM
          CREATE TABLE `t` (`a` int COMMENT 'ENGINE=MEMORY') | none
          CREATE TABLE `t` (`a` int COMMENT 'it''s ENGINE=MEMORY') ENGINE=Aria | Aria
          CREATE TABLE `t` (`engine` int, CHECK (engine = 1)) ENGINE=InnoDB | InnoDB
          CREATE TABLE `ENGINE=CSV` (`a` int) ENGINE=InnoDB | InnoDB
          CREATE TABLE `t` (`a` int) COMMENT='ENGINE=CSV' ENGINE=InnoDB | InnoDB
          CREATE TABLE `t` (`a` int) /* ENGINE=CSV */ ENGINE=InnoDB | InnoDB
          CREATE TABLE `t` (`a` int) ENGINE /* the engine */ = InnoDB | InnoDB
          CREATE TABLE `t` (`a` int) -- ENGINE=CSV\\nENGINE=Aria | Aria
          CREATE TABLE `t` (`a` int) # ENGINE=CSV\\nENGINE=Aria | Aria
          CREATE TABLE `t` (`a` int) /*!50100 ENGINE=MyISAM */ | MyISAM
          CREATE TABLE `t` (`a` int) /*M!100500 ENGINE=Aria */ COMMENT 'x' | Aria
          CREATE TABLE `t` (`a` int) ENGINE_ATTRIBUTE='x' | none
          CREATE TABLE `t` (`a` int) SECONDARY_ENGINE=RAPID ENGINE=InnoDB | InnoDB
          CREATE TABLE `t` (`a` int) ENGINE=MyISAM PARTITION BY HASH (a) (PARTITION p0 ENGINE = MyISAM) | MyISAM
          CREATE TABLE `t` (`a` int) | none
          CREATE SEQUENCE `s` start with 1 minvalue 1 cache 1000 nocycle ENGINE=Aria | Aria
          """)
  void theEngineOfTheTableOptions(String sql, String engine) {
    assertThat(TableEngines.of(sql.replace("\\n", "\n"))).isEqualTo(engine);
  }
}
