package org.deqsweep.core.config;

/**
 * The inputs and the teacher that makes the targets (DESIGN 2.5).
 *
 * @param kind       gaussian, uniform, mixture or idx
 * @param classSep   mixture: |class mean|
 * @param teacher    linear, single_index or deq
 * @param link       single_index link g (same = the model's activation)
 * @param noise      std of the Gaussian label noise
 */
public record DataOptions(String kind, int n, int d, String idxImages, String idxLabels, double classSep, String teacher,
                          String link, double teacherNorm, double noise) {
}
