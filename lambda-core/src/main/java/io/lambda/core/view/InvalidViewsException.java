package io.lambda.core.view;

import java.util.List;

/**
 * View definitions that cannot be used, with every problem found (not just the first), each naming
 * the view it belongs to, so that one failed start-up shows everything to fix.
 */
public class InvalidViewsException extends IllegalArgumentException {

	private final List<String> problems;

	public InvalidViewsException(List<String> problems) {
		super("invalid view definitions (lambda.views):" + String.join("", problems.stream().map(p -> "\n - " + p).toList()));
		this.problems = List.copyOf(problems);
	}

	public List<String> problems() {
		return problems;
	}
}
