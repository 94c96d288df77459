-- BackyDB fidelity "torture" schema (MariaDB 10.11). Loaded with the mariadb client into an empty
-- database; a backup of it with every feature, restored elsewhere, must dump identically.
SET NAMES utf8mb4;
SET sql_mode = '';
SET FOREIGN_KEY_CHECKS = 0;

-- every column type, generated and invisible columns, comments with quotes and semicolons
CREATE TABLE all_types (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  b1 BIT(1), b64 BIT(64),
  ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT ZEROFILL, ii INT, bi BIGINT UNSIGNED,
  de DECIMAL(65,30), f FLOAT, d DOUBLE, f52 FLOAT(7,3),
  ch CHAR(5), vc VARCHAR(300) COMMENT 'it''s a "column"; -- with a comment',
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  bn BINARY(8), vb VARBINARY(20), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  js JSON,
  ge GEOMETRY, pt POINT, ls LINESTRING, pg POLYGON, mpt MULTIPOINT, mls MULTILINESTRING,
  mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION,
  en ENUM('small','medium','x-large','it''s'), st SET('a','b','c;d'),
  yr YEAR, dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL,
  dt0 DATETIME, d0 DATE,
  lat VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
  gv INT AS (ii * 2) VIRTUAL,
  gs VARCHAR(310) AS (CONCAT('<', vc, '>')) STORED,
  hidden INT INVISIBLE DEFAULT 42,
  KEY gv_idx (gv)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='types; all of them; it''s "quoted" -- and /* commented */';

INSERT INTO all_types (b1, b64, ti, si, mi, ii, bi, de, f, d, f52, ch, vc, tt, tx, mt, lt, bn, vb,
  tb, bl, mb, lb, js, ge, pt, ls, pg, mpt, mls, mpg, gc, en, st, yr, dt, tm, dtm, ts, dt0, d0, lat,
  hidden)
VALUES
 (b'1', b'1111111111111111111111111111111111111111111111111111111111111111', -128, 65535, 7,
  -2147483648, 18446744073709551615,
  '-12345678901234567890123456789012345.123456789012345678901234567890', 3.4028235e38,
  1.7976931348623157e308, 1234.567, 'abc', 'O''Reilly; DROP TABLE x; -- \\ "q"', 'tiny', 'text \n line',
  REPEAT('m', 70000), REPEAT('long ', 1000), 0x00FF00FF00FF00FF, 0x27225C00, 0x01, 0xDEADBEEF,
  REPEAT(0xAB, 70000), REPEAT(0xCD, 100000), '{"k": "v\\"q", "n": [1, 2.5, null], "e": "é"}',
  ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), ST_GeomFromText('POINT(1.5 -2.25)'),
  ST_GeomFromText('LINESTRING(0 0,1 1,2 2)'), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'),
  ST_GeomFromText('MULTIPOINT(0 0,1 1)'), ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))'),
  ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))'),
  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'),
  'it''s', 'a,c;d', 1901, '1000-01-01', '-838:59:59.000000', '9999-12-31 23:59:59.999999',
  '2038-01-19 03:14:07.999999', '0000-00-00 00:00:00', '2020-00-15', 'café à ÿ', 1),
 (b'0', b'0', 127, 0, 0, 0, 0, '0.000000000000000000000000000001', 1.1754944e-38, 4.9e-324,
  -0.001, '', 'é漢字 😀', '', '', '', '', '', X'', '', '', '', '',
  '[]', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'small', '', 2155, '0000-00-00',
  '00:00:00.000001', '1970-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000',
  '2024-02-29 12:00:00', '0000-00-00', '', 2),
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.1, 0.1, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE all_types SET vc = 'emoji utf8mb4 😀🇫🇷 漢字' WHERE id = 3;
-- an AUTO_INCREMENT counter ahead of the rows
INSERT INTO all_types (id) VALUES (1000);
DELETE FROM all_types WHERE id = 1000;

-- ENUM's error value (index 0: what a permissive sql_mode stores for a value not in the list) in
-- an ENUM that also has the members '' and '0': the error value and '' both read as ''
CREATE TABLE odd_enum (id INT PRIMARY KEY, e ENUM('', 'a', '0')) ENGINE=InnoDB;
INSERT INTO odd_enum VALUES (1, 'not in the list'), (2, ''), (3, 'a'), (4, '0'), (5, NULL);

-- a table whose columns are all generated: how many rows it has is all it holds
CREATE TABLE only_generated (g INT AS (1) VIRTUAL, s VARCHAR(5) AS ('x') PERSISTENT) ENGINE=InnoDB;
INSERT INTO only_generated () VALUES (), (), ();

-- identifiers that are reserved words or hold backticks, spaces, semicolons, non-ASCII letters
CREATE TABLE `select` (
  `from` INT PRIMARY KEY,
  `back``tick` VARCHAR(10),
  `with space` VARCHAR(10),
  `semi;colon` VARCHAR(10),
  `naïve_ñ_漢` VARCHAR(10)
) DEFAULT CHARSET=utf8mb4;
INSERT INTO `select` VALUES (1, '`', ' ', ';', 'ñ'), (2, 'a``b', 'x y', 'a;b', '漢字');
CREATE TABLE `tab;le with ``all`` of it` (`order` INT PRIMARY KEY, `group` TEXT);
INSERT INTO `tab;le with ``all`` of it` VALUES (1, 'group; by');

-- partitions, FULLTEXT and spatial indexes, CHECK constraints
CREATE TABLE parted (
  id INT NOT NULL,
  created DATE NOT NULL,
  note VARCHAR(20),
  PRIMARY KEY (id, created)
) PARTITION BY RANGE (YEAR(created)) (
  PARTITION p2020 VALUES LESS THAN (2021),
  PARTITION p2021 VALUES LESS THAN (2022),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);
INSERT INTO parted VALUES (1, '2020-05-01', 'a'), (2, '2021-06-01', 'b'), (3, '2030-01-01', 'c');

CREATE TABLE docs (
  id INT AUTO_INCREMENT PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  body TEXT,
  place POINT NOT NULL,
  price DECIMAL(8,2) CHECK (price >= 0),
  qty INT,
  CONSTRAINT `qty positive; really` CHECK (qty > 0 OR qty IS NULL),
  FULLTEXT KEY ft (title, body),
  SPATIAL KEY sp (place)
) ENGINE=InnoDB AUTO_INCREMENT=77;
INSERT INTO docs (title, body, place, price, qty) VALUES
  ('backup', 'restore everything', ST_GeomFromText('POINT(1 2)'), 9.99, 3),
  ('fidelity', 'indistinguishable copy', ST_GeomFromText('POINT(3 4)'), 0, NULL);

-- foreign keys in a cycle
CREATE TABLE parent (
  id INT PRIMARY KEY,
  favourite_child INT NULL,
  KEY fc (favourite_child),
  CONSTRAINT parent_fav FOREIGN KEY (favourite_child) REFERENCES child (id) ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE TABLE child (
  id INT PRIMARY KEY,
  parent_id INT NOT NULL,
  CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
) ENGINE=InnoDB;
INSERT INTO parent VALUES (1, 10), (2, NULL);
INSERT INTO child VALUES (10, 1), (11, 1), (20, 2);

-- a MyISAM table and an Aria table
CREATE TABLE legacy (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MyISAM;
INSERT INTO legacy VALUES (1, 'old');
CREATE TABLE aria_log (id INT PRIMARY KEY, v TEXT) ENGINE=Aria;
INSERT INTO aria_log VALUES (1, 'aria');

-- sequences, advanced past their start
CREATE SEQUENCE order_no START WITH 100 INCREMENT BY 10 CACHE 5;
SELECT NEXTVAL(order_no), NEXTVAL(order_no);
-- a table (dumped before the sequence by name) whose default takes the sequence's next value
CREATE TABLE aa_orders (no BIGINT NOT NULL DEFAULT (NEXT VALUE FOR order_no) PRIMARY KEY,
  item VARCHAR(20));
INSERT INTO aa_orders (item) VALUES ('first'), ('second');
CREATE SEQUENCE `cyclic seq` START WITH 1 MINVALUE 1 MAXVALUE 3 CYCLE NOCACHE;
SELECT NEXTVAL(`cyclic seq`), NEXTVAL(`cyclic seq`), NEXTVAL(`cyclic seq`), NEXTVAL(`cyclic seq`);

-- system-versioned tables, implicit and explicit periods, with history
CREATE TABLE prices (id INT PRIMARY KEY, amount DECIMAL(10,2)) WITH SYSTEM VERSIONING;
INSERT INTO prices VALUES (1, 10.00), (2, 20.00);
UPDATE prices SET amount = 11.00 WHERE id = 1;
DELETE FROM prices WHERE id = 2;
CREATE TABLE stock (
  id INT PRIMARY KEY,
  qty INT,
  valid_from TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,
  valid_to TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE,
  PERIOD FOR SYSTEM_TIME (valid_from, valid_to)
) WITH SYSTEM VERSIONING;
INSERT INTO stock (id, qty) VALUES (1, 5);
UPDATE stock SET qty = 4 WHERE id = 1;

-- routines, each under its own sql_mode and character set
SET sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES';
DELIMITER ;;
CREATE FUNCTION "ansi_total"(p_id INT) RETURNS DECIMAL(65,30)
  READS SQL DATA
  COMMENT 'uses "ANSI" quotes; it''s fine'
BEGIN
  -- a comment that must survive
  DECLARE v DECIMAL(65,30);
  /* and a block comment */
  SELECT "de" INTO v FROM "all_types" WHERE "id" = p_id;
  RETURN v;
END;;
DELIMITER ;
SET sql_mode = 'PIPES_AS_CONCAT';
CREATE FUNCTION greet(who VARCHAR(50)) RETURNS VARCHAR(100) CHARSET utf8mb4 DETERMINISTIC
  RETURN 'héllo ' || who || ' 😀';
SET sql_mode = 'TRADITIONAL';
SET NAMES utf8mb3;
DELIMITER $$
CREATE PROCEDURE `tricky proc`(IN n INT, OUT total INT)
  SQL SECURITY INVOKER
BEGIN
  # hash comment; with a semicolon
  DECLARE s VARCHAR(20) DEFAULT 'semi;;colons;;';
  SELECT COUNT(*) INTO total FROM `select` WHERE `from` <= n;
END$$
DELIMITER ;
SET NAMES utf8mb4;
SET sql_mode = '';

-- views on views, a view calling a function, a definer that does not exist
CREATE VIEW zz_base AS SELECT id, vc, ii FROM all_types;
CREATE VIEW `a view on a view` AS SELECT id, greet(vc) AS greeting FROM zz_base WHERE id < 100;
CREATE VIEW mid_view AS SELECT v.id, v.greeting FROM `a view on a view` v JOIN zz_base b USING (id);
CREATE VIEW `0 first; by ``name``` AS SELECT id, greeting FROM mid_view;
CREATE ALGORITHM=MERGE DEFINER=`ghost`@`%` SQL SECURITY INVOKER VIEW ghost_view AS
  SELECT `from` FROM `select` WITH CHECK OPTION;

-- triggers: two on one event in a fixed order, one under a strict mode
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(100)) ENGINE=InnoDB;
INSERT INTO audit (what) VALUES ('created');
SET sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE';
CREATE TRIGGER docs_ai AFTER INSERT ON docs FOR EACH ROW
  INSERT INTO audit (what) VALUES (CONCAT('doc ', NEW.id, '; -- inserted'));
CREATE TRIGGER docs_ai_first AFTER INSERT ON docs FOR EACH ROW PRECEDES docs_ai
  INSERT INTO audit (what) VALUES ('first');
DELIMITER ;;
CREATE DEFINER=`ghost`@`localhost` TRIGGER `select_bu` BEFORE UPDATE ON `select` FOR EACH ROW
BEGIN
  -- keep the semicolon; inside
  SET NEW.`semi;colon` = CONCAT(OLD.`semi;colon`, ';');
END;;
DELIMITER ;
SET sql_mode = '';

-- events (disabled: they must not fire in either copy), in another time zone
SET time_zone = '+05:30';
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 02:00:00'
  ON COMPLETION PRESERVE DISABLE COMMENT 'cleans; up'
  DO DELETE FROM audit WHERE what = 'never';
DELIMITER ;;
CREATE EVENT `once later` ON SCHEDULE AT '2037-12-31 23:59:59' ON COMPLETION PRESERVE DISABLE
DO BEGIN
  -- body with comments
  INSERT INTO audit (what) VALUES ('later;');
END;;
DELIMITER ;
SET time_zone = SYSTEM;
SET FOREIGN_KEY_CHECKS = 1;
