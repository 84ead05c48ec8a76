package io.lambda.batch.recompute;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/batch/runs}: start a recompute ({@code full} or {@code incremental}) and follow it.
 * One run at a time in this instance; a second request while one runs gets 409.
 */
@RestController
@RequestMapping("/api/v1/batch/runs")
class BatchRunController {

    private static final Logger log = LoggerFactory.getLogger(BatchRunController.class);

    /** The request body: which kind of run. */
    record RunRequest(String mode) {
    }

    private final BatchRecompute recompute;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "batch-run"));
    private final Map<String, BatchRun> runs = new ConcurrentHashMap<>();
    private final AtomicReference<String> current = new AtomicReference<>();

    BatchRunController(BatchRecompute recompute) {
        this.recompute = recompute;
    }

    @PostMapping
    ResponseEntity<?> start(@RequestBody(required = false) RunRequest request) {
        String mode = request == null || request.mode() == null ? "incremental" : request.mode();
        if (!mode.equals("full") && !mode.equals("incremental")) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "mode is 'full' or 'incremental', not '" + mode + "'");
            problem.setType(URI.create("urn:lambda:problem:bad-run-mode"));
            return ResponseEntity.badRequest().body(problem);
        }
        String runId = UUID.randomUUID().toString();
        if (!current.compareAndSet(null, runId)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                    "run " + current.get() + " is still running");
            problem.setType(URI.create("urn:lambda:problem:run-in-progress"));
            return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
        }
        // Until incremental runs exist (they fold only the events since the last cut), an
        // incremental request recomputes in full: same cells, more work.
        BatchRun run = new BatchRun(runId, mode, "RUNNING", null, null, 0, 0, Instant.now(), null, null);
        runs.put(runId, run);
        runner.submit(() -> {
            try {
                runs.put(runId, recompute.run(run));
            } catch (RuntimeException e) {
                log.error("Batch run {} failed", runId, e);
                runs.put(runId, run.ended("FAILED", null, null, 0, 0, e.getMessage()));
            } finally {
                current.set(null);
            }
        });
        return ResponseEntity.accepted().body(Map.of("runId", runId, "status", run.status()));
    }

    @GetMapping("/{runId}")
    ResponseEntity<?> get(@PathVariable String runId) {
        BatchRun run = runs.get(runId);
        if (run == null) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no run " + runId);
            problem.setType(URI.create("urn:lambda:problem:unknown-run"));
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
        }
        return ResponseEntity.ok(run);
    }
}
