/**
 * Interactive 3D view of a periodic box: three.js, one InstancedMesh of spheres (one draw call for
 * thousands of particles), the box edges, OrbitControls (drag to rotate, wheel to zoom, right-drag
 * to pan). Renders on demand only (no animation loop while idle).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/** Particle radius drawn (sigma): a bit under the OPP core radius so the structure stays readable. */
const RADIUS = 0.38;

export class BoxViewer {
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(35, 1, 0.1, 1000);
  private readonly controls: OrbitControls;
  private readonly content = new THREE.Group();
  private mesh: THREE.InstancedMesh | null = null;
  private edges: THREE.LineSegments | null = null;
  private frame = 0;

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.setClearColor(0xffffff);
    this.canvas = this.renderer.domElement;
    this.canvas.setAttribute('aria-label', '3D view of the periodic box');
    container.appendChild(this.canvas);
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.55));
    const key = new THREE.DirectionalLight(0xffffff, 1.6);
    key.position.set(1, 1.5, 2);
    this.camera.add(key); // the light follows the camera: shading reads the same from every side
    this.scene.add(this.camera);
    this.scene.add(this.content);
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => this.render());
    new ResizeObserver(() => this.resize()).observe(container);
    this.setBox([10, 10, 10]);
    this.resize();
  }

  /** Shows an empty box of lengths `box` (sigma). */
  setBox(box: readonly [number, number, number]): void {
    if (this.edges) {
      this.content.remove(this.edges);
      this.edges.geometry.dispose();
    }
    const geom = new THREE.EdgesGeometry(new THREE.BoxGeometry(box[0], box[1], box[2]));
    this.edges = new THREE.LineSegments(geom, new THREE.LineBasicMaterial({ color: 0x222222 }));
    this.content.add(this.edges);
    const L = Math.max(...box);
    this.camera.position.set(1.6 * L, 1.1 * L, 2.2 * L);
    this.camera.near = L / 100;
    this.camera.far = L * 20;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(0, 0, 0);
    this.controls.update();
    this.render();
  }

  /** Draws `positions` (flat [N, 3], inside [0, L)) in the box, colored by height (z). */
  show(positions: Float64Array, box: readonly [number, number, number]): void {
    const n = positions.length / 3;
    if (this.mesh) {
      this.content.remove(this.mesh);
      this.mesh.geometry.dispose();
      (this.mesh.material as THREE.Material).dispose();
      this.mesh.dispose();
    }
    const detail = n > 4000 ? 8 : 14;
    const mesh = new THREE.InstancedMesh(
      new THREE.SphereGeometry(RADIUS, detail, Math.round(detail * 0.75)),
      new THREE.MeshStandardMaterial({ roughness: 0.55, metalness: 0.05 }),
      n,
    );
    const m = new THREE.Matrix4();
    const c = new THREE.Color();
    const low = new THREE.Color(0x2c5aa0), high = new THREE.Color(0xe8a33d);
    for (let i = 0; i < n; i++) {
      const x = positions[3 * i]!, y = positions[3 * i + 1]!, z = positions[3 * i + 2]!;
      m.makeTranslation(x - box[0] / 2, y - box[1] / 2, z - box[2] / 2);
      mesh.setMatrixAt(i, m);
      mesh.setColorAt(i, c.copy(low).lerp(high, z / box[2]));
    }
    mesh.instanceMatrix.needsUpdate = true;
    if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    this.mesh = mesh;
    this.content.add(mesh);
    this.setBox(box);
  }

  /** Number of frames rendered (tests and diagnostics). */
  get frames(): number {
    return this.frame;
  }

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.canvas.style.width = '100%';
    this.canvas.style.height = '100%';
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  private render(): void {
    this.renderer.render(this.scene, this.camera);
    this.frame++;
  }
}
