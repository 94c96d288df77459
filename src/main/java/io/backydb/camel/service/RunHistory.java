package io.backydb.camel.service;

import java.util.List;

/** Where finished runs are recorded: the service database, or a local file when there is none. */
public interface RunHistory {

  /** Records a finished run. */
  void record(RunRecord run);

  /** The newest {@code limit} runs, newest first. */
  List<RunRecord> latest(int limit);

  /** Where the history lives, for messages. */
  String describe();
}
