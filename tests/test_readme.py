"""The README a new user follows: its links resolve inside the repository, it gives the CPU-only
PyTorch command, and CI installs exactly its Debian packages (plus test-only extras)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_relative_link_and_image_is_in_the_repository():
    targets = re.findall(r"\]\(([^)#\s]+)", README)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert "docs/ARCHITECTURE.md" in local and "docs/first-run.png" in local
    for target in local:
        path = (REPO / target).resolve()
        assert path.is_relative_to(REPO), f"{target} points outside the repository"
        assert path.exists(), f"{target} does not exist"
    assert "../shared" not in README


def test_cpu_only_torch_command_as_pytorch_documents_it():
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in README


def test_ci_installs_the_readme_packages_and_only_test_extras_besides():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    block = README.split("<!-- apt-packages -->", 1)[1].split("<!-- /apt-packages -->", 1)[0]
    listed = block.split("apt install", 1)[1].split("```", 1)[0].split()
    assert {"libportaudio2", "espeak-ng", "libxcb-cursor0", "python3-venv"} <= set(listed)
    extracted = subprocess.run(
        ["bash", "-c", "awk '/<!-- apt-packages -->/{f=1;next} /<!-- \\/apt-packages -->/{f=0} f'"
         " README.md | sed -n 's/.*apt install //p'"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert extracted == listed  # what .ci/run reads is the README's list
    assert "readme_packages=$(awk '/<!-- apt-packages -->/" in ci
    installs = re.findall(r"apt-get install[^\n]*", ci)
    assert len(installs) == 2 and all("$readme_packages" in i or "$TEST_ONLY_PACKAGES" in i
                                      for i in installs)
    extras = re.search(r'TEST_ONLY_PACKAGES="([^"]+)"', ci).group(1).split()
    # poppler-utils: the report tests read the PDFs back (pdftotext, pdftoppm)
    assert set(extras) <= {"pulseaudio", "pulseaudio-utils", "sox", "xvfb", "xauth",
                           "poppler-utils"}
