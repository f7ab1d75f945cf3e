package org.deqsweep.sweep.refine;

/**
 * A spec's {@code refine:} section (DESIGN 4.7), validated by the spec parser: which grid key is
 * refined, on which scale, by which criterion, and when to stop.
 *
 * @param key            the refined run key: a real-valued grid axis with at least two values, all &gt; 0
 * @param scale          where points go and how widths are measured
 * @param criterion      what makes a value pass
 * @param threshold      the converged fraction a value needs to pass: 1 for {@code all_converged}, the
 *                       spec's {@code refine.threshold} in (0, 1] for {@code converged_fraction}
 * @param rounds         the most refinement rounds, 1..{@value #MAX_ROUNDS}; null when only the target is given
 * @param targetWidth    stop a group once its bracket's relative width is at most this
 *                       (&gt;= {@value #MIN_TARGET_WIDTH}); null when only the rounds are given
 * @param pointsPerRound k, the values placed per group and round, 1..{@value #MAX_POINTS_PER_ROUND}
 *                       (default {@value #DEFAULT_POINTS_PER_ROUND}); a bracket shrinks (k + 1)-fold per round
 */
public record Refine(String key, Scale scale, Criterion criterion, double threshold, Integer rounds, Double targetWidth,
                     int pointsPerRound) {

    public static final int DEFAULT_POINTS_PER_ROUND = 3;
    public static final int MAX_POINTS_PER_ROUND = 64;
    public static final int MAX_ROUNDS = 64;
    /** Below this a bracket's width is the run-to-run noise of a boundary, and near what doubles resolve. */
    public static final double MIN_TARGET_WIDTH = 1e-6;

    public Refine {
        if (key == null || scale == null || criterion == null) {
            throw new IllegalArgumentException("key, scale and criterion are required");
        }
        if (!(threshold > 0 && threshold <= 1) || criterion == Criterion.ALL_CONVERGED && threshold != 1) {
            throw new IllegalArgumentException("threshold must be in (0, 1], and 1 for all_converged; got " + threshold);
        }
        if (rounds == null && targetWidth == null) {
            throw new IllegalArgumentException("at least one of rounds and targetWidth");
        }
        if (rounds != null && (rounds < 1 || rounds > MAX_ROUNDS)) {
            throw new IllegalArgumentException("rounds must be in 1.." + MAX_ROUNDS + ", got " + rounds);
        }
        if (targetWidth != null && !(targetWidth >= MIN_TARGET_WIDTH && Double.isFinite(targetWidth))) {
            throw new IllegalArgumentException("targetWidth must be finite and >= " + MIN_TARGET_WIDTH + ", got " + targetWidth);
        }
        if (pointsPerRound < 1 || pointsPerRound > MAX_POINTS_PER_ROUND) {
            throw new IllegalArgumentException("pointsPerRound must be in 1.." + MAX_POINTS_PER_ROUND + ", got " + pointsPerRound);
        }
    }
}
