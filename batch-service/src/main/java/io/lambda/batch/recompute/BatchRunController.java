package io.lambda.batch.recompute;

import java.net.URI;
import java.util.Map;
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
 * {@code /api/v1/batch/runs}: start a recompute ({@code full} or {@code incremental}) and follow
 * it. One run at a time across replicas; a second request while one runs gets 409.
 */
@RestController
@RequestMapping("/api/v1/batch/runs")
class BatchRunController {

    /** The request body: which kind of run. */
    record RunRequest(String mode) {
    }

    private final BatchRuns runs;

    BatchRunController(BatchRuns runs) {
        this.runs = runs;
    }

    @PostMapping
    ResponseEntity<?> start(@RequestBody(required = false) RunRequest request) {
        String mode = request == null || request.mode() == null ? RunPlan.INCREMENTAL : request.mode();
        if (!mode.equals(RunPlan.FULL) && !mode.equals(RunPlan.INCREMENTAL)) {
            return problem(HttpStatus.BAD_REQUEST, "bad-run-mode", "mode is 'full' or 'incremental', not '" + mode + "'");
        }
        try {
            BatchRuns.RunView run = runs.start(mode);
            return ResponseEntity.accepted().body(Map.of("runId", run.runId(), "status", run.status()));
        } catch (BatchRuns.RunInProgressException e) {
            return problem(HttpStatus.CONFLICT, "run-in-progress", e.getMessage());
        }
    }

    @GetMapping("/{runId}")
    ResponseEntity<?> get(@PathVariable String runId) {
        return runs.find(runId).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> problem(HttpStatus.NOT_FOUND, "unknown-run", "no run " + runId));
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:lambda:problem:" + type));
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
