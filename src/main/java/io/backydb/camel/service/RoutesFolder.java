package io.backydb.camel.service;

import io.backydb.BackyException;
import io.backydb.backup.BackupJobs;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the routes of a folder's {@code *.yaml} files running while files come, change and go. It
 * remembers which route ids (and route templates) each file defined: a new file's routes are added,
 * a changed file's routes are replaced, a deleted file's routes are removed, and no other route is
 * touched. Removing a route stops it gracefully, so a backup it is running finishes first (the
 * file's change waits for it; other files are handled meanwhile). A file that cannot be loaded (bad
 * YAML, an unknown step, a bad cron, a missing backup config) is logged as an error and none of its
 * routes run; it is tried again when it changes. A file that cannot be read (permissions, an I/O
 * error) is logged the same way, once: at start none of its routes run; while running, the routes
 * it last defined keep running; it is tried again on every scan and loaded once it can be read.
 *
 * <p>Camel's own route reload ({@code camel.main.routesReloadEnabled}) is a development aid: it
 * removes every route on a change by default, and even with {@code routesReloadRemoveAllRoutes=
 * false} it does not track route templates or validate schedules; hence this class.
 */
public final class RoutesFolder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RoutesFolder.class);

  /** How long removing a route waits for the exchange (e.g. a backup) it is running. */
  static final Duration DRAIN_TIMEOUT = Duration.ofHours(24);

  private final CamelContext context;
  private final Environment env;
  private final QuartzJobs quartzJobs;
  private final Path dir;
  private final Duration interval;
  private final Map<Path, Loaded> loaded = new ConcurrentHashMap<>();
  private final Map<Path, CompletableFuture<Void>> work = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;
  private final ExecutorService workers;

  /**
   * What a file defined when it was last (successfully or not) loaded.
   *
   * @param digest the SHA-256 of the content loaded, or {@link #UNREADABLE} and the reason when the
   *     file could not be read
   */
  /**
   * What a file last gave: its content's digest, the routes and templates it added, why it was
   * refused (null if it was not), and {@link #changes} as it was then.
   */
  record Loaded(
      String digest,
      Set<String> routeIds,
      Set<String> templateIds,
      String error,
      boolean waitsForOthers,
      long changesSeen) {

    /**
     * A file refused for something another file holds or lacks (a route id, a Quartz job, a route
     * template) is tried again once other files have changed the routes; a file refused for its own
     * content (bad YAML, an unknown step) only when it changes, so that it is reported once.
     */
    boolean retryAfter(long changes) {
      return error != null && waitsForOthers && changes != changesSeen;
    }
  }

  /** A refusal that another file may lift: an id or job it holds, a template it defines. */
  static final class HeldByAnotherFile extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    HeldByAnotherFile(String message) {
      super(message);
    }
  }

  /** Counts the times a file added or removed routes or templates. */
  private final java.util.concurrent.atomic.AtomicLong changes =
      new java.util.concurrent.atomic.AtomicLong();

  /** How {@link #digest} starts for a file that cannot be read. */
  private static final String UNREADABLE = "unreadable: ";

  /**
   * @param env the environment the service's backups run with, which a schedule's backup config is
   *     checked against when the schedule loads
   */
  public RoutesFolder(CamelContext context, Environment env, Path dir, Duration interval) {
    this.context = context;
    this.env = env;
    this.quartzJobs = new QuartzJobs(context);
    this.dir = dir.toAbsolutePath().normalize();
    this.interval = interval;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "backy-routes-watch"));
    this.workers = Executors.newCachedThreadPool(r -> daemon(r, "backy-routes-load"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Loads every file now (the built-in files first, so that a copy reusing their route ids is the
   * one refused; then templates before the routes that use them), then watches the folder.
   */
  public void start() {
    List<Path> pending = new ArrayList<>(files());
    pending.sort(
        Comparator.comparing(
            f ->
                BackyService.BUILT_IN.contains(f.getFileName().toString())
                    ? 0
                    : definesTemplates(f) ? 1 : 2));
    // a file may use a route template that another file defines: retry until nothing changes
    boolean progress = true;
    while (!pending.isEmpty() && progress) {
      progress = false;
      for (Path f : new ArrayList<>(pending)) {
        load(f, true);
        Loaded l = loaded.get(f);
        if (l == null || l.error() == null) { // loaded, or vanished meanwhile
          pending.remove(f);
          progress = true;
        }
      }
    }
    for (Path f : pending) {
      LOG.error(
          "routes file {} is broken: {}; its routes are not running, the others are",
          f.getFileName(),
          loaded.get(f).error());
    }
    long ms = interval.toMillis();
    var unused = poller.scheduleWithFixedDelay(this::scan, ms, ms, TimeUnit.MILLISECONDS);
  }

  private static boolean definesTemplates(Path f) {
    try {
      return Files.readString(f).contains("routeTemplate:");
    } catch (IOException e) {
      return false;
    }
  }

  /** The route ids each file runs now, for tests and diagnostics. */
  public Map<String, Set<String>> routesByFile() {
    return loaded.entrySet().stream()
        .collect(
            Collectors.toMap(
                e -> e.getKey().getFileName().toString(), e -> e.getValue().routeIds()));
  }

  /** The load error of a file, if its last load failed. */
  public String error(String fileName) {
    Loaded l = loaded.get(dir.resolve(fileName));
    return l == null ? null : l.error();
  }

  private Set<Path> files() {
    Set<Path> out = new TreeSet<>();
    Set<Path> yml = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          (p.toString().endsWith(".yml") ? yml : out).add(p.toAbsolutePath().normalize());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list routes folder {}: {}", dir, e.getMessage());
    }
    warnOfYmlFiles(yml);
    return out;
  }

  /** The {@code *.yml} files of the folder already warned of. */
  private final Set<Path> ymlWarned = ConcurrentHashMap.newKeySet();

  /**
   * A schedule saved as {@code nightly.yml} is not loaded (only {@code *.yaml} files are): said
   * once per file, so that it is not taken for a schedule that never fires for no reason.
   */
  private void warnOfYmlFiles(Set<Path> yml) {
    ymlWarned.retainAll(yml);
    for (Path p : yml) {
      if (ymlWarned.add(p)) {
        LOG.warn(
            "routes file {} is not loaded: only *.yaml files are; rename it to {}",
            p.getFileName(),
            p.getFileName().toString().replaceFirst("\\.yml$", ".yaml"));
      }
    }
  }

  /**
   * How long a scan waits for the files that vanished in it to be unloaded before it loads the new
   * and changed ones. A renamed file is both: its routes can only load once the old name's are gone
   * (same route ids, same Quartz jobs). An unload waiting for a backup to finish can take hours:
   * the loads go ahead after this, and a file refused meanwhile is tried again once the unload is
   * done (see {@link Loaded#retryAfter}).
   */
  static final Duration UNLOAD_WAIT = Duration.ofSeconds(5);

  private void scan() {
    try {
      Set<Path> now = files();
      List<CompletableFuture<Void>> unloads = new ArrayList<>();
      for (Path f : new HashSet<>(loaded.keySet())) {
        if (!now.contains(f)) {
          CompletableFuture<Void> u = submit(f, () -> unload(f));
          if (u != null) {
            unloads.add(u);
          }
        }
      }
      awaitUnloads(unloads);
      for (Path f : now) {
        Loaded l = loaded.get(f);
        String digest = digest(f);
        // an unreadable file is tried on every scan, but reported again only if its reason changes
        if (digest != null
            && (l == null || !l.digest().equals(digest) || l.retryAfter(changes.get()))) {
          var unused = submit(f, () -> load(f, false));
        }
      }
      keepQuartzJobsScheduled();
      if (work.values().stream().allMatch(CompletableFuture::isDone)) {
        // no file is being loaded or removed, so a quartz endpoint without a route is a leftover
        removeQuartzEndpointsWithoutRoute(Set.of(), "left by a job that fired as its route went");
      }
    } catch (RuntimeException e) {
      LOG.warn("routes folder scan failed: {}", e.getMessage(), e);
    }
  }

  /**
   * Mends the started schedules of the files no task is working on whose Quartz job camel-quartz
   * lost in a race with a reload ({@link QuartzJobs}): such a schedule would never fire again.
   */
  private void keepQuartzJobsScheduled() {
    if (!context.isStarted()) {
      return;
    }
    for (Map.Entry<Path, Loaded> e : loaded.entrySet()) {
      CompletableFuture<Void> busy = work.get(e.getKey());
      if (busy != null && !busy.isDone()) {
        continue;
      }
      for (String id : e.getValue().routeIds()) {
        Route r = context.getRoute(id);
        if (r != null && context.getRouteController().getRouteStatus(id).isStarted()) {
          QuartzJobs.keepScheduled(r);
        }
      }
    }
  }

  private static void awaitUnloads(List<CompletableFuture<Void>> unloads) {
    if (unloads.isEmpty()) {
      return;
    }
    try {
      CompletableFuture.allOf(unloads.toArray(CompletableFuture[]::new))
          .get(UNLOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      // still draining (or failed, logged by the task): the loads go ahead
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs the tasks of one file one after the other, and different files side by side. Returns the
   * task submitted, or null if the file is still busy with an earlier one.
   */
  private CompletableFuture<Void> submit(Path f, Runnable task) {
    CompletableFuture<Void> prev = work.get(f);
    if (prev != null && !prev.isDone()) {
      return null; // still busy with this file; the next scan sees what is left to do
    }
    CompletableFuture<Void> next = CompletableFuture.runAsync(task, workers);
    work.put(f, next);
    return next;
  }

  /**
   * The SHA-256 of a file's content; {@link #UNREADABLE} and the reason if it cannot be read; null
   * if it vanished since it was listed.
   */
  private static String digest(Path f) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(f)));
    } catch (NoSuchFileException e) {
      return null;
    } catch (AccessDeniedException e) {
      return UNREADABLE + "permission denied";
    } catch (FileSystemException e) {
      return UNREADABLE + (e.getReason() != null ? e.getReason() : describe(e));
    } catch (IOException e) {
      return UNREADABLE + describe(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void unload(Path f) {
    Loaded old = loaded.get(f);
    if (old == null) {
      return;
    }
    removeRoutes(f, old);
    loaded.remove(f);
    if (!old.routeIds().isEmpty() || !old.templateIds().isEmpty()) {
      changes.incrementAndGet();
    }
    LOG.info("routes file {} deleted: removed routes {}", f.getFileName(), old.routeIds());
  }

  private void load(Path f, boolean initial) {
    String digest = digest(f);
    if (digest == null) {
      return;
    }
    Loaded old = loaded.get(f);
    if (digest.startsWith(UNREADABLE)) {
      unreadable(f, digest, old, initial);
      return;
    }
    if (old != null) {
      removeRoutes(f, old); // waits for running exchanges: outside the lock
      if (!old.routeIds().isEmpty() || !old.templateIds().isEmpty()) {
        changes.incrementAndGet();
      }
    }
    // files load one at a time, so the routes that appear belong to this file
    synchronized (addLock) {
      addRoutes(f, digest, old, initial);
    }
  }

  private final Object addLock = new Object();

  /**
   * A file that cannot be read: reported like a broken file (at start by {@link #start}, which
   * lists every broken file), and nothing else changes: whatever routes it last defined keep
   * running, as its content is not known to have changed.
   */
  private void unreadable(Path f, String digest, Loaded old, boolean initial) {
    String error = "cannot read it: " + digest.substring(UNREADABLE.length());
    Set<String> routes = old == null ? Set.of() : old.routeIds();
    Set<String> templates = old == null ? Set.of() : old.templateIds();
    loaded.put(f, new Loaded(digest, routes, templates, error, false, changes.get()));
    if (initial) {
      return;
    }
    if (routes.isEmpty() && templates.isEmpty()) {
      LOG.error(
          "routes file {} is broken: {}; its routes are not running, the others are",
          f.getFileName(),
          error);
    } else {
      LOG.error(
          "routes file {} is broken: {}; the routes it last defined ({}) keep running",
          f.getFileName(),
          error,
          routes);
    }
  }

  private void addRoutes(Path f, String digest, Loaded old, boolean initial) {
    ModelCamelContext model = (ModelCamelContext) context;
    // counted before the attempt: a file that gives up an id or a job while this one is being
    // refused for it makes this one be tried again
    long changesSeen = changes.get();
    Set<String> routesBefore = routeIds();
    Set<String> templatesBefore = templateIds(model);
    Set<Endpoint> endpointsBefore = new HashSet<>(context.getEndpoints());
    String error = null;
    boolean waitsForOthers = false;
    try {
      Resource r = ResourceHelper.resolveMandatoryResource(context, "file:" + f);
      // as Camel's RoutesLoader does: route configurations, then routes, then templated routes
      var builders = PluginHelper.getRoutesLoader(context).findRoutesBuilders(r);
      for (RoutesBuilder b : builders) {
        if (b instanceof RouteConfigurationsBuilder c) {
          context.addRoutesConfigurations(c);
        }
      }
      checkIdsAreFree(model, builders);
      checkQuartzJobsAreFree(model, builders);
      // before any route is added: an added schedule can fire before it is refused
      checkSchedules(model, builders);
      for (RoutesBuilder b : builders) {
        context.addRoutes(b);
      }
      for (RoutesBuilder b : builders) {
        checkTemplatesExist(model, b);
        context.addTemplatedRoutes(b);
      }
    } catch (Exception e) {
      error = missingComponent(e);
      if (error == null) {
        error = yamlSyntax(e);
      }
      if (error == null) {
        error = describe(e);
      }
      for (Throwable t = e; t != null && !waitsForOthers; t = t.getCause()) {
        waitsForOthers = t instanceof HeldByAnotherFile;
      }
      LOG.debug("loading {} failed", f, e);
    }
    Set<String> routes = new LinkedHashSet<>(routeIds());
    routes.removeAll(routesBefore);
    Set<String> templates = new LinkedHashSet<>(templateIds(model));
    templates.removeAll(templatesBefore);
    Loaded now = new Loaded(digest, routes, templates, error, false, 0);
    if (error != null) {
      removeRefusedRoutes(f, now);
      removeQuartzEndpointsWithoutRoute(endpointsBefore, null);
      now = new Loaded(digest, Set.of(), Set.of(), error, waitsForOthers, changesSeen);
      if (!initial) {
        LOG.error(
            "routes file {} is broken: {}; its routes are not running, the others are",
            f.getFileName(),
            error);
      }
    } else {
      changes.incrementAndGet();
      LOG.info(
          "routes file {} {}: routes {}{}",
          f.getFileName(),
          old == null ? "loaded" : "reloaded",
          routes,
          templates.isEmpty() ? "" : ", route templates " + templates);
    }
    loaded.put(f, now);
  }

  /**
   * What a route that names a Camel component the classpath lacks (a {@code kafka:} or {@code ftp:}
   * endpoint; BackyDB ships only some components) is refused for, in place of Camel's message,
   * which repeats the whole route and the endpoint URI twice; null for any other failure. The URI
   * is not quoted: its query may hold a password.
   */
  static String missingComponent(Throwable e) {
    String route = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.camel.FailedToCreateRouteException f && route == null) {
        route = f.getRouteId();
      }
      if (t instanceof org.apache.camel.NoSuchEndpointException n && n.getUri() != null) {
        String scheme = n.getUri().split(":", 2)[0];
        return (route != null ? "route " + route + " uses" : "uses")
            + " the Camel component '"
            + scheme
            + "', which is not on the classpath (BackyDB does not ship camel-"
            + scheme
            + "; add its jar, see \"JMS, AMQP 1.0, Kafka\" in docs/scheduling.md, or check the"
            + " endpoint's spelling)";
      }
    }
    return null;
  }

  /**
   * A YAML syntax error as one short line with its line and column; null for any other failure.
   * Camel's message names the file three times and quotes the lines with their carets.
   */
  static String yamlSyntax(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException y
          && y.getProblemMark().isPresent()) {
        org.snakeyaml.engine.v2.exceptions.Mark at = y.getProblemMark().get();
        String context =
            y.getContext() == null || y.getContextMark().isEmpty()
                ? ""
                : " ("
                    + y.getContext()
                    + " that starts at "
                    + lineAndColumn(y.getContextMark().get())
                    + ")";
        return "YAML syntax error at " + lineAndColumn(at) + ": " + y.getProblem() + context;
      }
    }
    return null;
  }

  private static String lineAndColumn(org.snakeyaml.engine.v2.exceptions.Mark m) {
    return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
  }

  /**
   * The distinct messages along a failure's cause chain, on one line, down to the first {@link
   * BackyException}: its message is the whole problem, as the command line shows it, and its causes
   * (Jackson's "Unrecognized field ... (10 known properties: ...)" under "unknown key
   * 'database.pasword'") are details, which the DEBUG log keeps with the stack trace.
   */
  static String describe(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e;
        t != null && parts.size() < 4;
        t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m == null || m.isBlank()) {
        continue;
      }
      String line = m.strip().replaceAll("\\s*\\n\\s*", " ");
      if (line.length() > 300) {
        line = line.substring(0, 297) + "...";
      }
      String l = line;
      if (parts.stream().noneMatch(p -> p.contains(l))) {
        parts.add(line);
      }
      if (t instanceof BackyException) {
        break;
      }
    }
    return parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
  }

  /**
   * Refuses a file that defines a route (or route template) id that is already taken: Camel would
   * remove the running route of that id (another file's, or a built-in one) and put this file's in
   * its place without a word. Configures the file's builders to read their ids; adding them
   * afterwards does not configure them again.
   */
  private void checkIdsAreFree(
      ModelCamelContext model, java.util.Collection<RoutesBuilder> builders) throws Exception {
    Set<String> routes = routeIds();
    Set<String> templates = templateIds(model);
    for (RoutesBuilder b : builders) {
      if (!(b instanceof RouteBuilder rb)) {
        continue;
      }
      rb.configureRoutes(context);
      List<String> ids = new ArrayList<>();
      for (RouteDefinition r : rb.getRouteCollection().getRoutes()) {
        ids.add(r.getRouteId());
      }
      for (TemplatedRouteDefinition t : rb.getTemplatedRouteCollection().getTemplatedRoutes()) {
        ids.add(t.getRouteId());
      }
      for (String id : ids) {
        if (id != null && routes.contains(id)) {
          throw new HeldByAnotherFile(
              "route id " + id + " is already used by " + owner(id, Loaded::routeIds));
        }
      }
      for (RouteTemplateDefinition t : rb.getRouteTemplateCollection().getRouteTemplates()) {
        if (t.getId() != null && templates.contains(t.getId())) {
          throw new HeldByAnotherFile(
              "route template id "
                  + t.getId()
                  + " is already used by "
                  + owner(t.getId(), Loaded::templateIds));
        }
      }
    }
  }

  /**
   * Refuses a file with a route consuming from a Quartz job (trigger) that a running route already
   * uses: for a schedule, the same {@code name} parameter as another schedule. Camel would either
   * share the other route's endpoint or refuse the route once added, and in both cases removing the
   * refused route deletes or pauses the Quartz job the other route still runs on (it would never
   * fire again). Configured builders only (after {@link #checkIdsAreFree}).
   */
  private void checkQuartzJobsAreFree(
      ModelCamelContext model, java.util.Collection<RoutesBuilder> builders) {
    Map<TriggerKey, String> used = new java.util.HashMap<>();
    for (Route r : context.getRoutes()) {
      if (r.getEndpoint() instanceof QuartzEndpoint q && q.getTriggerKey() != null) {
        used.put(q.getTriggerKey(), r.getRouteId());
      }
    }
    Map<TriggerKey, String> mine = new java.util.HashMap<>();
    for (RoutesBuilder b : builders) {
      if (!(b instanceof RouteBuilder rb)) {
        continue;
      }
      Map<String, String> uris = new java.util.LinkedHashMap<>();
      for (RouteDefinition r : rb.getRouteCollection().getRoutes()) {
        if (r.getInput() != null && r.getInput().getEndpointUri() != null) {
          uris.put(
              r.getRouteId() != null ? r.getRouteId() : "(no id)", r.getInput().getEndpointUri());
        }
      }
      for (TemplatedRouteDefinition t : rb.getTemplatedRouteCollection().getTemplatedRoutes()) {
        String uri = templatedFromUri(model, rb, t);
        if (uri != null) {
          uris.put(t.getRouteId() != null ? t.getRouteId() : "(no id)", uri);
        }
      }
      for (Map.Entry<String, String> e : uris.entrySet()) {
        TriggerKey key = quartzJobs.keyOf(e.getValue());
        if (key == null) {
          continue;
        }
        String other = used.get(key);
        if (other != null) {
          throw new HeldByAnotherFile(
              "quartz job "
                  + key
                  + " is already used by route "
                  + other
                  + " of "
                  + owner(other, Loaded::routeIds)
                  + " (a schedule's name must be unique)");
        }
        String sibling = mine.putIfAbsent(key, e.getKey());
        if (sibling != null) {
          throw new HeldByAnotherFile(
              "quartz job "
                  + key
                  + " is used by two routes of this file: "
                  + sibling
                  + ", "
                  + e.getKey());
        }
      }
    }
  }

  /**
   * The from-URI of a templated route, its template's parameters filled in; null when it cannot be
   * told (unknown template, a placeholder that does not resolve): Camel's own checks, and {@link
   * #removeRefusedRoutes}, deal with those.
   */
  private String templatedFromUri(
      ModelCamelContext model, RouteBuilder rb, TemplatedRouteDefinition t) {
    RouteTemplateDefinition template = templateOf(model, rb, t);
    if (template == null
        || template.getRoute() == null
        || template.getRoute().getInput() == null
        || template.getRoute().getInput().getEndpointUri() == null) {
      return null;
    }
    String uri = template.getRoute().getInput().getEndpointUri();
    for (Map.Entry<String, String> v : parameters(template, t).entrySet()) {
      uri = uri.replace("{{" + v.getKey() + "}}", v.getValue());
    }
    return resolvePlaceholders(uri);
  }

  /** The template a templated route names, loaded or in the same file; null if there is none. */
  private static RouteTemplateDefinition templateOf(
      ModelCamelContext model, RouteBuilder rb, TemplatedRouteDefinition t) {
    RouteTemplateDefinition template = model.getRouteTemplateDefinition(t.getRouteTemplateRef());
    if (template != null) {
      return template;
    }
    return rb.getRouteTemplateCollection().getRouteTemplates().stream()
        .filter(d -> t.getRouteTemplateRef().equals(d.getId()))
        .findFirst()
        .orElse(null);
  }

  /** A templated route's parameter values: the template's defaults and the route's own. */
  private static Map<String, String> parameters(
      RouteTemplateDefinition template, TemplatedRouteDefinition t) {
    Map<String, String> values = new java.util.HashMap<>();
    if (template.getTemplateParameters() != null) {
      for (var p : template.getTemplateParameters()) {
        if (p.getDefaultValue() != null) {
          values.put(p.getName(), p.getDefaultValue());
        }
      }
    }
    if (t.getParameters() != null) {
      for (var p : t.getParameters()) {
        values.put(p.getName(), p.getValue());
      }
    }
    return values;
  }

  /** {@code text} with its property placeholders resolved; null if one does not resolve. */
  private String resolvePlaceholders(String text) {
    try {
      return context.resolvePropertyPlaceholders(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Removes what a refused file added, and leaves every other route's Quartz job as it was. Should
   * one of the file's routes or endpoints have got past {@link #checkQuartzJobsAreFree} with
   * another route's Quartz key, camel-quartz deletes that key's job when it stops the refused
   * endpoint (also one that failed to start, and one that had no route yet), or pauses it and takes
   * its consumer away when the endpoint is shared. So a refused route's own endpoint is kept from
   * deleting a job another route uses, and afterwards the job of every other running Quartz route
   * is checked and, if it was deleted, paused or unbound, put back.
   */
  private void removeRefusedRoutes(Path f, Loaded l) {
    List<Route> others = new ArrayList<>();
    Set<TriggerKey> othersKeys = new HashSet<>();
    for (Route r : context.getRoutes()) {
      if (!l.routeIds().contains(r.getRouteId())
          && r.getEndpoint() instanceof QuartzEndpoint q
          && q.getTriggerKey() != null) {
        others.add(r);
        othersKeys.add(q.getTriggerKey());
      }
    }
    for (String id : l.routeIds()) {
      Route r = context.getRoute(id);
      if (r != null
          && r.getEndpoint() instanceof QuartzEndpoint q
          && othersKeys.contains(q.getTriggerKey())
          && others.stream().noneMatch(o -> o.getEndpoint() == q)) {
        q.setDeleteJob(false);
      }
    }
    removeRoutes(f, l);
    for (Route r : others) {
      try {
        if (context.getRouteController().getRouteStatus(r.getRouteId()).isStarted()) {
          QuartzJobs.restore(r, "by a refused file");
        }
      } catch (Exception e) {
        LOG.warn("cannot check the quartz job of route {}: {}", r.getRouteId(), e.getMessage());
      }
    }
  }

  /**
   * Removes the Quartz endpoints that no route consumes from, but those in {@code keep}.
   * camel-quartz schedules a job as soon as it resolves a {@code from} endpoint; a route refused
   * for a later step (a placeholder of an unset variable, an unknown bean) is never added, so its
   * endpoint was left with a job that fired into nothing until the service stopped. And a job that
   * fires while its route is being removed (a schedule edited to be refused, or deleted) finds no
   * route, so camel-quartz makes an endpoint of its own, which schedules the job again, after the
   * route's removal deleted it. Removing the endpoint stops it, which deletes its job (in a
   * cluster, the shared job stays: other nodes may run it). With {@code why}, each removal is a
   * WARN line.
   */
  private void removeQuartzEndpointsWithoutRoute(Set<Endpoint> keep, String why) {
    for (Endpoint e : List.copyOf(context.getEndpoints())) {
      if (e instanceof QuartzEndpoint q
          && !keep.contains(e)
          && context.getRoutes().stream().noneMatch(r -> r.getEndpoint() == q)) {
        try {
          context.removeEndpoint(q);
          if (why != null) {
            LOG.warn(
                "quartz endpoint of job {} had no route ({}): removed, with its job",
                q.getTriggerKey(),
                why);
          }
        } catch (Exception ex) {
          LOG.warn("cannot remove quartz endpoint {}: {}", q.getTriggerKey(), ex.getMessage());
        }
      }
    }
  }

  /** Which file defined a route or template id, for messages. */
  private String owner(String id, java.util.function.Function<Loaded, Set<String>> ids) {
    return loaded.entrySet().stream()
        .filter(e -> ids.apply(e.getValue()).contains(id))
        .map(e -> "routes file " + e.getKey().getFileName())
        .findFirst()
        .orElse("a built-in route of the service");
  }

  /** Camel skips a templated route whose template is unknown; here that is an error. */
  private static void checkTemplatesExist(ModelCamelContext model, RoutesBuilder b) {
    if (b instanceof RouteBuilder rb) {
      for (TemplatedRouteDefinition t : rb.getTemplatedRouteCollection().getTemplatedRoutes()) {
        if (model.getRouteTemplateDefinition(t.getRouteTemplateRef()) == null) {
          throw new HeldByAnotherFile(
              "no route template named "
                  + t.getRouteTemplateRef()
                  + " (templatedRoute "
                  + (t.getRouteId() == null ? "" : t.getRouteId())
                  + ")");
        }
      }
    }
  }

  /**
   * Every schedule (a templated route consuming from {@code quartz:} with a {@code config}
   * parameter, as the scheduled-backup template makes) must name a valid backup config whose
   * backups the service's environment can run: what the backup's first step checks (a variable it
   * needs, such as INTEGRITY_PASSWORD for an HMAC) is checked here too, so that a schedule that
   * could only fail is refused when it loads, not at every tick. A value whose placeholder does not
   * resolve is left to Camel, which refuses the route.
   */
  private void checkSchedules(
      ModelCamelContext model, java.util.Collection<RoutesBuilder> builders) {
    for (RoutesBuilder b : builders) {
      if (!(b instanceof RouteBuilder rb)) {
        continue;
      }
      for (TemplatedRouteDefinition t : rb.getTemplatedRouteCollection().getTemplatedRoutes()) {
        RouteTemplateDefinition template = templateOf(model, rb, t);
        String uri = templatedFromUri(model, rb, t);
        if (template == null || uri == null || !uri.startsWith("quartz:")) {
          continue;
        }
        String raw = parameters(template, t).get("config");
        String config = raw == null ? null : resolvePlaceholders(raw);
        if (config != null) {
          checkSchedule(t.getRouteId() != null ? t.getRouteId() : t.getRouteTemplateRef(), config);
        }
      }
    }
  }

  private void checkSchedule(String id, String config) {
    try {
      BackupJobs.check(ConfigLoader.backupFromFile(Path.of(config)), env);
    } catch (RuntimeException e) {
      String reason = RunRecorder.reason(e);
      // the loader's errors name the file already
      throw new IllegalArgumentException(
          "schedule "
              + id
              + ": "
              + (reason.contains(config) ? reason : "backup config " + config + ": " + reason),
          e);
    }
  }

  private void removeRoutes(Path f, Loaded l) {
    for (String id : l.routeIds()) {
      try {
        if (context.getRoute(id) != null) {
          context
              .getRouteController()
              .stopRoute(id, DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS, true);
          context.removeRoute(id);
        } else {
          ModelCamelContext model = (ModelCamelContext) context;
          RouteDefinition def = model.getRouteDefinition(id);
          if (def != null) {
            model.removeRouteDefinition(def);
          }
        }
      } catch (Exception e) {
        LOG.warn("cannot remove route {} of {}: {}", id, f.getFileName(), e.getMessage());
      }
    }
    ModelCamelContext model = (ModelCamelContext) context;
    for (String t : l.templateIds()) {
      try {
        model.removeRouteTemplateDefinitions(t);
      } catch (Exception e) {
        LOG.warn("cannot remove route template {} of {}: {}", t, f.getFileName(), e.getMessage());
      }
    }
  }

  private Set<String> routeIds() {
    Set<String> ids = new HashSet<>();
    for (Route r : context.getRoutes()) {
      ids.add(r.getRouteId());
    }
    // a route that failed to start may only exist as a definition
    for (RouteDefinition d : ((ModelCamelContext) context).getRouteDefinitions()) {
      if (d.getRouteId() != null) {
        ids.add(d.getRouteId());
      }
    }
    return ids;
  }

  private static Set<String> templateIds(ModelCamelContext model) {
    Set<String> ids = new HashSet<>();
    for (RouteTemplateDefinition t : model.getRouteTemplateDefinitions()) {
      ids.add(t.getId());
    }
    return ids;
  }

  @Override
  public void close() {
    poller.shutdownNow();
    workers.shutdownNow();
  }
}
