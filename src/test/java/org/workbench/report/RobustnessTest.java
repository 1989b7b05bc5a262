package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/**
 * The radius search (threat eps: {search: [lo, hi]}) on the shipped MLP: each radius is backed by a stored probe
 * at that eps and bracketed to the bisection's resolution, certified <= attack per sample, the search resumes
 * from its lines, and the robustness distribution has one CDF point per sample with a radius in range.
 */
class RobustnessTest {
    @TempDir
    Path tmp;

    @Test
    void bisectsEachSampleAndDrawsBothDistributions() throws Exception {
        Path out = tmp.resolve("run");
        int n = 12, steps = 6;
        String[] args = {"solve", "problems/robustness-mlp.yaml", "--set", "data.samples=" + n, "--set",
            "threat.eps={search: [0, 0.1], steps: " + steps + "}", "--set", "output=" + out};
        assertEquals(0, Main.run(args));
        List<ResultLine> lines = ResultsFile.read(out).lines();
        List<String> radii = Files.readAllLines(out.resolve("radii.csv"));
        assertEquals(n + 1, radii.size());
        List<String> head = List.of(radii.get(0).split(","));
        double resolution = 0.1 / (1 << steps);
        int drawnAttack = 0, drawnCert = 0;
        for (String row : radii.subList(1, radii.size())) {
            String[] f = row.split(",");
            int sample = Integer.parseInt(f[0]);
            double attack = value(f[head.indexOf("attack_eps")]), cert = value(f[head.indexOf("certified_eps")]);
            assertTrue(cert <= attack, row);
            if (f[head.indexOf("clean_correct")].equals("false")) continue;
            double pgd = value(f[head.indexOf("pgd-linf_eps")]), crown = value(f[head.indexOf("crown_eps")]);
            if (Double.isFinite(pgd) && pgd > 0) {
                drawnAttack++;
                assertTrue(has(lines, sample, pgd, "pgd-linf", "attacked"), "the attack succeeded at its radius: " + row);
                assertTrue(lines.stream().anyMatch(r -> r.sample() == sample && r.solver().equals("pgd-linf") && r.eps() < pgd
                        && r.eps() >= pgd - resolution * 1.0001 && !r.status().equals("attacked")), "and failed just below: " + row);
            }
            if (crown > 0) {
                assertTrue(has(lines, sample, crown, "crown", "verified"), "certified at its radius: " + row);
                assertTrue(lines.stream().anyMatch(r -> r.sample() == sample && r.solver().equals("crown") && r.eps() > crown
                        && r.eps() <= crown + resolution * 1.0001 && !r.status().equals("verified")), "and not just above: " + row);
            }
            if (crown < 0.1) drawnCert++;
        }
        assertTrue(drawnAttack > n / 2, "most digits are attacked within eps 0.1");

        List<String[]> cdf = FigureChecks.check(out.resolve("figures"), "robustness-distribution");
        long attackPoints = cdf.stream().filter(r -> r[0].startsWith("upper bound") && r[4].startsWith("sample")).count();
        long certPoints = cdf.stream().filter(r -> r[0].startsWith("lower bound") && r[4].startsWith("sample")).count();
        long misclassified = radii.stream().filter(r -> r.contains(",false,")).count();
        assertEquals(drawnAttack + misclassified, attackPoints, "one CDF step per sample attacked in range");
        assertEquals(drawnCert + misclassified, certPoints, "one CDF step per sample certified below the range's end");
        assertFalse(Files.exists(out.resolve("figures/accuracy-eps.png")), "no fixed-eps figure for a search");

        // Started again, the search replays its stored probes: nothing is recomputed.
        long before = Files.readAllLines(out.resolve("results.jsonl")).size();
        assertEquals(0, Main.run(args));
        assertEquals(before, Files.readAllLines(out.resolve("results.jsonl")).size());
        assertEquals(radii, Files.readAllLines(out.resolve("radii.csv")));
    }

    @Test
    void aBadSearchRangeIsOneLineWithExitTwo() {
        for (String bad : List.of("{search: [0.1, 0.05]}", "{search: [0, 0.1], step: 4}", "{search: [0]}", "{search: [0, 0.1], steps: 0}")) {
            PrintStream old = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = Main.run("solve", "problems/robustness-mlp.yaml", "--set", "threat.eps=" + bad, "--set", "output=" + tmp.resolve("bad"));
            } finally {
                System.setErr(old);
            }
            String text = err.toString(StandardCharsets.UTF_8).trim();
            assertEquals(2, code, bad + ": " + text);
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.contains("threat.eps"), text);
            assertFalse(Files.exists(tmp.resolve("bad")));
        }
    }

    @Test
    void aCertificateAboveAnAttackIsReportedAsABug() {
        var ok = new org.workbench.solve.RadiusSearch.Radius(1, 3, true, java.util.Map.of(), 0.04, "pgd", 0.03, "crown");
        var bad = new org.workbench.solve.RadiusSearch.Radius(2, 3, true, java.util.Map.of(), 0.03, "pgd", 0.05, "crown");
        assertEquals(List.of("sample 2: crown certifies eps 0.05 but pgd attacks at eps 0.03"),
                org.workbench.solve.RadiusSearch.violations(List.of(ok, bad)));
        assertTrue(org.workbench.solve.RadiusSearch.markdown("t", new org.workbench.problem.EpsSearch(0, 0.1, 4), List.of(ok, bad))
                .contains("BUG: certified eps above attack eps (1)"));
    }

    private static boolean has(List<ResultLine> lines, int sample, double eps, String solver, String status) {
        return lines.stream().anyMatch(r -> r.sample() == sample && r.eps() == eps && r.solver().equals(solver) && r.status().equals(status));
    }

    private static double value(String s) {
        return s.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
    }
}
